package io.clawhive.worker.supervision;

import io.clawhive.core.storage.InstanceState;
import io.clawhive.worker.instance.AuthTokens;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.limits.ResourceLimiter;
import io.clawhive.worker.limits.ResourceLimits;
import io.clawhive.worker.process.GatewayLauncher;
import io.clawhive.worker.process.LauncherSettings;
import io.clawhive.worker.standin.StandIn;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Supervisors of stand-in gateways on one shared scheduler; stops everything it started. */
final class SupervisorFixture implements AutoCloseable {

  record Supervised(
      GatewaySupervisor supervisor, RecordingListener listener, String token, int port) {}

  final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
  final GatewayLauncher launcher;
  final HealthProbe probe = new HealthProbe(Clock.systemUTC());
  private final Path root;
  private final List<GatewaySupervisor> supervisors = new ArrayList<>();

  SupervisorFixture(Path root, ResourceLimiter limiter) {
    this.root = root;
    this.launcher = new GatewayLauncher(LauncherSettings.defaults(), limiter, Clock.systemUTC());
  }

  /** Fast policy for tests: millisecond probes and back-off. */
  static SupervisionPolicy.Builder fastPolicy() {
    return SupervisionPolicy.builder()
        .probeTimeout(Duration.ofMillis(400))
        .readinessPeriod(Duration.ofMillis(100))
        .startupTimeout(Duration.ofSeconds(20))
        .livenessPeriod(Duration.ofMillis(200))
        .thresholds(2, 3)
        .backoff(Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofMinutes(10))
        .startLimit(10, Duration.ofMinutes(1))
        .stopGrace(Duration.ofSeconds(3));
  }

  Supervised supervise(
      String id, String standinJson, SupervisionPolicy policy, ResourceLimits limits) {
    String token = AuthTokens.newToken();
    InstanceLayout layout = StandIn.provision(root, id, Optional.empty(), token, standinJson);
    int port = StandIn.port();
    RecordingListener listener = new RecordingListener();
    GatewaySupervisor supervisor =
        new GatewaySupervisor(
            StandIn.spec(layout, port, Optional.empty(), limits),
            launcher,
            probe,
            scheduler,
            Clock.systemUTC(),
            policy,
            listener);
    supervisors.add(supervisor);
    return new Supervised(supervisor, listener, token, port);
  }

  @Override
  public void close() {
    for (GatewaySupervisor s : supervisors) {
      s.stop(InstanceState.DELETED, "test over").join();
    }
    scheduler.shutdownNow();
    launcher.close();
  }
}
