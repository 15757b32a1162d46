package io.clawhive.worker.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.clawhive.worker.limits.ResourceLimiter;
import io.clawhive.worker.process.GatewayLauncher;
import io.clawhive.worker.process.GatewayProcess;
import io.clawhive.worker.process.LauncherSettings;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.supervision.HealthProbe;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** As root: each instance's gateway runs as its own user and cannot read another's files. */
class TenantIsolationTest {

  private final SystemUsers users = new SystemUsers("clawt-");
  @TempDir Path tempDir;
  private SystemUser userA;
  private SystemUser userB;
  private GatewayLauncher launcher;
  private GatewayProcess gatewayA;

  @BeforeEach
  void setUp() {
    assumeThat(SystemUsers.runningAsRoot()).as("needs root to create users").isTrue();
    userA = users.ensure("isoa");
    userB = users.ensure("isob");
    launcher =
        new GatewayLauncher(
            LauncherSettings.defaults(),
            ResourceLimiter.detect(StandIn.LIMITER_SETTINGS),
            Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    if (gatewayA != null) {
      gatewayA.stop(Duration.ofSeconds(2)).join();
    }
    if (launcher != null) {
      launcher.close();
    }
    if (userA != null) {
      users.delete(userA);
    }
    if (userB != null) {
      users.delete(userB);
    }
  }

  @Test
  void tenantCannotReadAnotherTenantsWorkspace() throws Exception {
    Path root = StandIn.instancesRoot(tempDir);
    String token = AuthTokens.newToken();
    InstanceLayout a = StandIn.provision(root, "isoa", Optional.of(userA), token, "{}");
    InstanceLayout b = StandIn.provision(root, "isob", Optional.of(userB), "b-token", "{}");
    Path secretOfB = Files.writeString(b.workspaceDir().resolve("notes.txt"), "B's secret");
    InstanceLayout.chown(secretOfB, userB);
    Path ownOfA = Files.writeString(a.workspaceDir().resolve("mine.txt"), "A's own");
    InstanceLayout.chown(ownOfA, userA);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(b.workspaceDir())))
        .isEqualTo("rwx------");
    assertThat(Files.getOwner(b.workspaceDir()).getName()).isEqualTo(userB.name());

    int port = StandIn.port();
    gatewayA = launcher.launch(StandIn.spec(a, port, Optional.of(userA), StandIn.SMALL_LIMITS));
    HealthProbe probe = new HealthProbe(Clock.systemUTC());
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> probe.probe(port, "/readyz", Duration.ofSeconds(1)).get().ok());

    assertThat(ProcessHandle.of(gatewayA.pid()).flatMap(p -> p.info().user()))
        .hasValue(userA.name());
    HttpResponse<String> own = read(port, token, ownOfA);
    assertThat(own.statusCode()).isEqualTo(200);
    assertThat(own.body()).contains("A's own");
    HttpResponse<String> foreign = read(port, token, secretOfB);
    assertThat(foreign.statusCode()).isEqualTo(403);
    assertThat(foreign.body()).contains("access denied").doesNotContain("B's secret");
    HttpResponse<String> pidFile = read(port, token, a.pidFile());
    assertThat(pidFile.statusCode()).as("worker files in its own dir stay private").isEqualTo(403);
  }

  private static HttpResponse<String> read(int port, String token, Path file) throws Exception {
    return StandIn.control(
        port, token, "read?path=" + URLEncoder.encode(file.toString(), StandardCharsets.UTF_8));
  }
}
