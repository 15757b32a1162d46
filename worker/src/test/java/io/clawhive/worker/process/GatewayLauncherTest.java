package io.clawhive.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.clawhive.worker.instance.AuthTokens;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.limits.ResourceLimiter;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.standin.MiniJson;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.supervision.HealthProbe;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real stand-in gateway processes started by the launcher. */
class GatewayLauncherTest {

  /** Set by the worker's surefire configuration: a control-plane secret in the worker's env. */
  static final String FAKE_SECRET_NAME = "CLAWHIVE_FAKE_SECRET";

  private static final Duration GRACE = Duration.ofSeconds(5);
  @TempDir Path tempDir;
  private Path root;
  private GatewayLauncher launcher;
  private final HealthProbe probe = new HealthProbe(Clock.systemUTC());
  private final List<GatewayProcess> started = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    root = StandIn.instancesRoot(tempDir);
    launcher =
        new GatewayLauncher(
            LauncherSettings.defaults(),
            ResourceLimiter.detect(StandIn.LIMITER_SETTINGS),
            Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    started.forEach(p -> p.stop(Duration.ofSeconds(1)).join());
    launcher.close();
  }

  @Test
  void launchedGatewayGetsReadyAndAnswersChatWithPerUserMemory() throws Exception {
    String token = AuthTokens.newToken();
    Launched g = launch("chat", token, "{\"readyDelayMs\":300}");

    assertThat(PidFile.read(g.layout.pidFile())).map(PidFile::pid).hasValue(g.process.pid());
    awaitReady(g.port);
    assertThat(reply(StandIn.chat(g.port, token, "alice", "hi"))).contains("echo: hi (turn 1)");
    assertThat(reply(StandIn.chat(g.port, token, "alice", "again"))).contains("(turn 2)");
    assertThat(reply(StandIn.chat(g.port, token, "bob", "hello"))).contains("(turn 1)");
    assertThat(StandIn.chat(g.port, "wrong-token", "alice", "x").statusCode()).isEqualTo(401);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Files.readString(g.layout.logFile()).contains("listening on 127.0.0.1"));

    GatewayExit exit = g.process.stop(GRACE).get();
    assertThat(exit.exitCode()).as("stand-in exits 0 on SIGTERM like openclaw").isZero();
    assertThat(g.layout.pidFile()).doesNotExist();
  }

  @Test
  void environmentHoldsOnlyAllowlistedNamesAndNoWorkerSecret() throws Exception {
    String secret = System.getenv(FAKE_SECRET_NAME);
    assertThat(secret).as("surefire puts a fake secret into the worker's env").isNotBlank();
    String token = AuthTokens.newToken();
    Launched g = launch("env", token, "{}");
    awaitReady(g.port);

    HttpResponse<String> response = StandIn.control(g.port, token, "env");
    @SuppressWarnings("unchecked")
    Map<String, Object> env = (Map<String, Object>) MiniJson.parse(response.body());
    assertThat(env.keySet()).isSubsetOf(GatewayCommand.ALLOWED_VARIABLES);
    assertThat(env).containsEntry("OPENCLAW_NO_RESPAWN", "1");
    assertThat(env.get("OPENCLAW_CONFIG_PATH")).isEqualTo(g.layout.configFile().toString());
    assertThat(response.body()).doesNotContain(secret).doesNotContain(FAKE_SECRET_NAME);

    Map<String, String> leaky =
        new HashMap<>(GatewayCommand.environment(StandIn.NO_RUNTIME, root, root, root));
    leaky.put("CLAWHIVE_DB_PASSWORD", "x");
    assertThatThrownBy(
            () ->
                new LaunchSpec(
                    "x",
                    1,
                    List.of("true"),
                    leaky,
                    root,
                    root,
                    root,
                    Optional.empty(),
                    StandIn.SMALL_LIMITS))
        .hasMessageContaining("CLAWHIVE_DB_PASSWORD");
  }

  @Test
  void stopKillsTheWholeProcessTreeAndFreesThePort() throws Exception {
    String token = AuthTokens.newToken();
    Launched g = launch("tree", token, "{}");
    awaitReady(g.port);
    long childPid =
        ((Number)
                MiniJson.path(
                    MiniJson.parse(StandIn.control(g.port, token, "spawn").body()), "pid"))
            .longValue();
    ProcessHandle child = ProcessHandle.of(childPid).orElseThrow();
    assertThat(child.parent().map(ProcessHandle::pid)).hasValue(g.process.pid());

    g.process.stop(GRACE).get();

    await().atMost(Duration.ofSeconds(5)).until(() -> !child.isAlive());
    assertThat(g.process.isAlive()).isFalse();
    assertThat(StandIn.listening(g.port)).isFalse();
  }

  @Test
  void reaperStopsGatewaysLeftByACrashedWorker() throws Exception {
    Launched g = launch("leftover", AuthTokens.newToken(), "{}");
    awaitReady(g.port);
    Path stalePid = root.resolve("gone").resolve(InstanceLayout.PID_FILE_NAME);
    Files.createDirectories(stalePid.getParent());
    Files.writeString(stalePid, g.process.pid() + " 12345\n");

    List<PidFile> reaped = new LeftoverReaper(GRACE).reap(InstanceLayout.pidFilesUnder(root));

    assertThat(reaped).extracting(PidFile::pid).containsExactly(g.process.pid());
    await().atMost(Duration.ofSeconds(5)).until(() -> !g.process.isAlive());
    assertThat(stalePid).as("a pid file whose start time differs is dropped").doesNotExist();
  }

  @Test
  void aProgramThatExitsAtOnceIsReturnedWithItsExitCode() throws Exception {
    // exits before its limits can be attached: the caller must see code 78, not a launch failure
    for (int i = 0; i < 5; i++) {
      InstanceLayout layout = InstanceLayout.of(root, "quick" + i).create(Optional.empty());
      LaunchSpec spec =
          LaunchSpec.forInstance(
              layout,
              StandIn.port(),
              List.of("sh", "-c", "exit 78"),
              StandIn.NO_RUNTIME,
              Optional.empty(),
              StandIn.SMALL_LIMITS);

      GatewayProcess process = launcher.launch(spec);

      GatewayExit exit = process.onExit().get(10, TimeUnit.SECONDS);
      assertThat(exit.exitCode()).isEqualTo(78);
      assertThat(exit.configError()).isTrue();
      assertThat(layout.pidFile()).doesNotExist();
    }
  }

  private record Launched(InstanceLayout layout, int port, GatewayProcess process) {}

  private Launched launch(String id, String token, String standinJson) {
    InstanceLayout layout = StandIn.provision(root, id, Optional.empty(), token, standinJson);
    int port = StandIn.port();
    GatewayProcess process =
        launcher.launch(StandIn.spec(layout, port, Optional.empty(), StandIn.SMALL_LIMITS));
    started.add(process);
    return new Launched(layout, port, process);
  }

  private void awaitReady(int port) {
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> probe.probe(port, "/readyz", Duration.ofSeconds(1)).get().ok());
  }

  private static String reply(HttpResponse<String> response) {
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }
}
