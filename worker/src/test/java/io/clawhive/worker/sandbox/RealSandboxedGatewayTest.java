package io.clawhive.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.clawhive.worker.fakes.FakeClawHubRegistry;
import io.clawhive.worker.fakes.FakeModelServer;
import io.clawhive.worker.fakes.InstalledRuntime;
import io.clawhive.worker.gateway.ChatReply;
import io.clawhive.worker.gateway.GatewayClient;
import io.clawhive.worker.gateway.GatewayConfigRejectedException;
import io.clawhive.worker.gateway.GatewayConfigRenderer;
import io.clawhive.worker.gateway.GatewayConfigSpec;
import io.clawhive.worker.gateway.GatewayConfigValidator;
import io.clawhive.worker.gateway.ModelProvider;
import io.clawhive.worker.instance.AuthTokens;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.limits.ResourceLimiter;
import io.clawhive.worker.limits.ResourceLimits;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.process.GatewayLauncher;
import io.clawhive.worker.process.GatewayProcess;
import io.clawhive.worker.process.LaunchSpec;
import io.clawhive.worker.process.LauncherSettings;
import io.clawhive.worker.skills.SkillInstallResult;
import io.clawhive.worker.skills.SkillInstaller;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.supervision.HealthProbe;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real OpenClaw gateway (one at a time) inside the sandbox: ready, answers a chat through the
 * fake model server (a loopback endpoint the egress policy allows), and {@code clawhub install}
 * runs as the tenant inside the same sandbox against the fake registry (also allowed).
 */
class RealSandboxedGatewayTest {

  private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);
  private static final String SKILL_MD =
      "---\nname: weather\ndescription: Weather lookups\n---\n# Weather\n";

  @TempDir Path dir;

  private final SystemUsers users = new SystemUsers("clawsb-");
  private SystemUser user;
  private RuntimeLayout runtime;
  private FakeModelServer model;
  private FakeClawHubRegistry registry;
  private Isolation isolation;

  private GatewayLauncher launcher;
  private GatewayProcess gateway;
  private Runnable restoreForwarding;

  @BeforeEach
  void setUp() throws Exception {
    SandboxHost.assumeSandboxHost();
    runtime = InstalledRuntime.assumeInstalled().layout();
    restoreForwarding = SandboxHost.forwardingRestorer();
    int registryPort = StandIn.port();
    // the registry is a local server named by the config as 127.0.0.1:P; namespaces reach it on
    // the worker address, as they reach the model proxy (played here by the fake model server)
    IsolationConfig config = SandboxHost.config("sandbox", List.of("127.0.0.1:" + registryPort));
    // -Dclawhive.test.seccomp=false measures the gateway without the filter
    config.setSeccomp(!"false".equals(System.getProperty("clawhive.test.seccomp")));
    isolation = Isolation.forMode(config, 2);
    InetAddress worker = isolation.modelProxyListenAddress().orElseThrow();
    model =
        FakeModelServer.start(
            "model-key", new InetSocketAddress(worker, isolation.modelProxyPort()));
    registry =
        FakeClawHubRegistry.start(new InetSocketAddress(worker, registryPort))
            .addSkill("weather", "1.2.0", SKILL_MD);
    launcher =
        new GatewayLauncher(
            LauncherSettings.defaults(),
            ResourceLimiter.detect(StandIn.LIMITER_SETTINGS),
            Clock.systemUTC());
    user = users.ensure("sbxreal");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (gateway != null) {
      gateway.stop(Duration.ofSeconds(20)).join();
    }
    if (launcher != null) {
      launcher.close();
    }
    if (model != null) {
      model.close();
      model = null;
    }
    if (registry != null) {
      registry.close();
      registry = null;
    }
    if (isolation != null) {
      if (user != null) {
        isolation.onInstanceDeleted("sbxreal", user);
      }
      isolation.uninstall();
    }
    if (restoreForwarding != null) {
      restoreForwarding.run();
    }
    if (user != null) {
      users.delete(user);
    }
    if (model != null) {
      model.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void realGatewayAnswersAndSkillInstallsInsideTheSandbox() throws Exception {
    InstanceLayout layout =
        InstanceLayout.of(StandIn.instancesRoot(dir), "sbxreal").create(Optional.of(user));
    int port = StandIn.port();
    isolation.onInstanceCreated("sbxreal", user, port, 0);
    String host = isolation.gatewayHost("sbxreal");
    String token = AuthTokens.newToken();
    new GatewayConfigRenderer()
        .write(
            new GatewayConfigSpec(
                port,
                token,
                layout.stateDir().resolve("openclaw.log"),
                layout.workspaceDir(),
                new ModelProvider(
                    "fake",
                    "http://"
                        + isolation.modelEndpointHost("sbxreal")
                        + ":"
                        + isolation.modelProxyPort()
                        + "/v1",
                    model.apiKey(),
                    null,
                    List.of(FakeModelServer.MODEL_ID)),
                isolation.gatewayBindHost("sbxreal")),
            layout.configFile());
    InstanceLayout.chown(layout.configFile(), user);
    Map<String, String> env =
        GatewayCommand.environment(
            runtime, layout.stateDir(), layout.configFile(), layout.stateDir());
    // openclaw config validate runs as the tenant inside the sandbox, as the fleet runs it
    CommandWrapper wrapper = isolation.commandWrapper(layout, Optional.of(user), runtime);
    GatewayConfigValidator validator = new GatewayConfigValidator(runtime);
    validator.validate(layout.instanceId(), env, wrapper);
    Path bad = layout.configDir().resolve("bad.json");
    Files.writeString(bad, "{\"bogusKey\": true}");
    InstanceLayout.chown(bad, user);
    Map<String, String> badEnv = new HashMap<>(env);
    badEnv.put("OPENCLAW_CONFIG_PATH", bad.toString());
    assertThatThrownBy(() -> validator.validate(layout.instanceId(), badEnv, wrapper))
        .isInstanceOf(GatewayConfigRejectedException.class)
        .hasMessageContaining("bogusKey");
    Files.delete(bad);

    LaunchSpec spec =
        new LaunchSpec(
            layout.instanceId(),
            port,
            GatewayCommand.gatewayRun(
                List.of(runtime.nodeBinary().toString(), runtime.openclawEntry().toString()),
                port,
                GatewayCommand.BIND_CUSTOM),
            env,
            layout.workspaceDir(),
            layout.logFile(),
            layout.pidFile(),
            Optional.of(user),
            ResourceLimits.defaults());

    long launched = System.nanoTime();
    gateway = launcher.launch(isolation.apply(spec, layout, runtime));
    GatewayClient client =
        GatewayClient.forHost(
            GatewayClient.newHttpClient(GatewayClient.DEFAULT_CONNECT_TIMEOUT),
            layout.instanceId(),
            host,
            port,
            token);
    HealthProbe probe = new HealthProbe(Clock.systemUTC());
    await("real gateway ready inside the sandbox")
        .atMost(READY_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                gateway.isAlive()
                    && probe
                        .probe(host, port, HealthProbe.READINESS_PATH, PROBE_TIMEOUT)
                        .join()
                        .ok());
    assertThat(host).as("reached at its namespace address, never loopback").startsWith("10.239.");
    assertThat(StandIn.listening(port)).as("nothing on the host's loopback").isFalse();
    System.out.printf(
        "real sandboxed gateway ready after %d ms (seccomp filter %s)%n",
        (System.nanoTime() - launched) / 1_000_000,
        System.getProperty("clawhive.test.seccomp", "true"));
    assertThat(ProcessHandle.of(gateway.pid()).flatMap(p -> p.info().command()).orElseThrow())
        .endsWith("bwrap");
    assertThat(
            ProcessHandle.of(gateway.pid())
                .orElseThrow()
                .descendants()
                .filter(p -> p.info().command().orElse("").endsWith("/node"))
                .map(p -> p.info().user().orElse("?"))
                .toList())
        .as("node runs as the tenant")
        .isNotEmpty()
        .containsOnly(user.name());

    ChatReply reply = client.chat("tenant-real", "hello from the sandbox");
    assertThat(reply.content()).isEqualTo("turn 1: hello from the sandbox");
    assertThat(model.requests()).isNotEmpty();

    SkillInstaller installer =
        new SkillInstaller(
            runtime,
            Optional.of(registry.url()),
            Duration.ofMinutes(1),
            io.clawhive.worker.skills.SkillPolicy.parse(List.of("weather"), List.of()));
    List<SkillInstallResult> results =
        installer.install(
            layout.instanceId(),
            layout.workspaceDir(),
            layout.stateDir(),
            layout.stateDir().resolve("clawhub/config.json"),
            List.of("weather"),
            isolation.commandWrapper(layout, Optional.of(user), runtime));
    assertThat(results).hasSize(1);
    assertThat(results.get(0).status())
        .as(results.get(0).detail())
        .isEqualTo(SkillInstallResult.Status.INSTALLED);
    Path skill = layout.workspaceDir().resolve("skills/weather/SKILL.md");
    assertThat(Files.readString(skill)).isEqualTo(SKILL_MD);
    assertThat(Files.getOwner(skill).getName())
        .as("installed by the tenant")
        .isEqualTo(user.name());
    assertThat(registry.requests()).isNotEmpty();
    assertThat(isolation.healthCheck().execute().isHealthy()).isTrue();
  }
}
