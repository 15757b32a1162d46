package io.clawhive.worker.routing;

import static org.awaitility.Awaitility.await;

import io.clawhive.core.storage.InstanceState;
import io.clawhive.worker.fleet.TenantGateways;
import io.clawhive.worker.gateway.GatewayClient;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.supervision.HealthProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongToIntFunction;

/**
 * Tenants' gateways as a few real stand-in gateway processes (each keeps one conversation per
 * session key), picked per tenant by {@code processOf}: a gateway process per tenant would not fit
 * a test of many tenants on this machine. Not the fleet: no instance rows, nothing hibernates.
 */
final class SharedStandIns implements TenantGateways, AutoCloseable {
  private static final HttpClient HTTP = GatewayClient.newHttpClient(Duration.ofSeconds(2));

  private final List<Process> processes = new ArrayList<>();
  private final List<GatewayClient> clients = new ArrayList<>();
  private final LongToIntFunction processOf;

  SharedStandIns(int count, Path dir, LongToIntFunction processOf, Duration chatTimeout)
      throws Exception {
    this.processOf = processOf;
    try {
      for (int i = 0; i < count; i++) {
        int port = StandIn.port();
        String token = "standin-token-" + i;
        Path config = dir.resolve("standin-" + i + ".json");
        Files.writeString(config, "{\"gateway\":{\"auth\":{\"token\":\"" + token + "\"}}}");
        ProcessBuilder builder =
            new ProcessBuilder(GatewayCommand.gatewayRun(StandIn.program(), port));
        builder.environment().put("OPENCLAW_CONFIG_PATH", config.toString());
        builder
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("standin-" + i + ".log").toFile());
        processes.add(builder.start());
        clients.add(
            new GatewayClient(
                HTTP,
                "standin-" + i,
                URI.create("http://127.0.0.1:" + port),
                token,
                chatTimeout,
                Clock.systemUTC()));
        HealthProbe probe = new HealthProbe(Clock.systemUTC());
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () ->
                    probe
                        .probe(port, HealthProbe.READINESS_PATH, Duration.ofSeconds(2))
                        .join()
                        .ok());
      }
    } catch (Exception | Error e) {
      close(); // the caller never gets this object to close: leave no process behind
      throw e;
    }
  }

  @Override
  public GatewayClient gatewayFor(long tenantId) {
    return clients.get(processOf.applyAsInt(tenantId));
  }

  @Override
  public void touch(long tenantId) {}

  @Override
  public void restart(long tenantId, String reason) {
    throw new UnsupportedOperationException("shared stand-ins are not restarted per tenant");
  }

  @Override
  public Optional<InstanceState> stateOf(long tenantId) {
    return Optional.of(InstanceState.RUNNING);
  }

  @Override
  public void close() throws Exception {
    for (Process process : processes) {
      process.destroy();
    }
    for (Process process : processes) {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }
}
