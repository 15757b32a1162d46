package io.clawhive.worker.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.clawhive.worker.instance.AuthTokens;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.process.GatewayExit;
import io.clawhive.worker.process.GatewayLauncher;
import io.clawhive.worker.process.GatewayProcess;
import io.clawhive.worker.process.LauncherSettings;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.supervision.HealthProbe;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A memory hog dies at its own limit; its neighbour keeps answering. */
class ResourceLimitsTest {

  private static final ResourceLimits HOG_LIMITS =
      new ResourceLimits(160 * ResourceLimits.MIB, 64, 1.0);
  @TempDir Path tempDir;
  private final List<GatewayProcess> started = new ArrayList<>();
  private final HealthProbe probe = new HealthProbe(Clock.systemUTC());
  private GatewayLauncher launcher;

  @AfterEach
  void tearDown() {
    started.forEach(p -> p.stop(Duration.ofSeconds(1)).join());
    if (launcher != null) {
      launcher.close();
    }
  }

  @Test
  void cgroupKillsTheHogAtItsLimitWhileTheNeighbourAnswers() throws Exception {
    ResourceLimiter limiter = ResourceLimiter.detect(StandIn.LIMITER_SETTINGS);
    assumeThat(limiter.mechanism()).as("host offers writable cgroups").startsWith("cgroup");
    launcher = new GatewayLauncher(LauncherSettings.defaults(), limiter, Clock.systemUTC());

    Gateway hog = start("hog", HOG_LIMITS);
    Gateway neighbour = start("neighbour", HOG_LIMITS);
    assertThat(hog.process.memoryUsageBytes()).isPresent();

    StandIn.control(hog.port, hog.token, "hog?mb=0");
    GatewayExit exit = hog.process.onExit().get();

    assertThat(exit.exitCode()).as("SIGKILL by the kernel").isEqualTo(137);
    assertThat(exit.killedByMemoryLimit()).isTrue();
    assertThat(StandIn.chat(neighbour.port, neighbour.token, "n", "still there?").body())
        .contains("echo: still there?");
  }

  @Test
  void rlimitFallbackStopsTheHogWhileTheNeighbourAnswers() throws Exception {
    ResourceLimiter limiter = ResourceLimiter.detect(StandIn.LIMITER_SETTINGS.withoutCgroups());
    assertThat(limiter.mechanism()).isEqualTo("rlimit");
    launcher = new GatewayLauncher(LauncherSettings.defaults(), limiter, Clock.systemUTC());

    Gateway hog = start("rhog", HOG_LIMITS);
    Gateway neighbour = start("rneighbour", HOG_LIMITS);

    StandIn.control(hog.port, hog.token, "hog?mb=0");
    GatewayExit exit = hog.process.onExit().get();

    assertThat(exit.exitCode()).as("JVM cannot commit more heap under RLIMIT_DATA").isNotZero();
    assertThat(StandIn.chat(neighbour.port, neighbour.token, "n", "still there?").statusCode())
        .isEqualTo(200);
  }

  private record Gateway(GatewayProcess process, int port, String token) {}

  private Gateway start(String id, ResourceLimits limits) throws Exception {
    String token = AuthTokens.newToken();
    Path root = StandIn.instancesRoot(tempDir);
    InstanceLayout layout = StandIn.provision(root, id, Optional.empty(), token, "{}");
    int port = StandIn.port();
    GatewayProcess process = launcher.launch(StandIn.spec(layout, port, Optional.empty(), limits));
    started.add(process);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> probe.probe(port, "/readyz", Duration.ofSeconds(1)).get().ok());
    return new Gateway(process, port, token);
  }
}
