package io.clawhive.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.worker.fakes.FakeModelServer;
import io.clawhive.worker.fakes.InstalledRuntime;
import io.clawhive.worker.gateway.ChatReply;
import io.clawhive.worker.gateway.GatewayConfigValidator;
import io.clawhive.worker.gateway.ModelProvider;
import io.clawhive.worker.instance.AuthTokens;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.limits.ResourceLimits;
import io.clawhive.worker.modelproxy.ModelProxy;
import io.clawhive.worker.modelproxy.ModelProxySettings;
import io.clawhive.worker.modelproxy.ProxyCredentials;
import io.clawhive.worker.modelproxy.Upstream;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.openclaw.VerifiedRuntime;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.sandbox.IsolationConfig;
import io.clawhive.worker.sandbox.SandboxHost;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.standin.StandIn.ExecResult;
import io.clawhive.worker.supervision.SupervisionPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As root, mode sandbox, instances provisioned through the fleet with the worker's model proxy: a
 * tenant searching everything it can read (its files, its environment, every /proc entry it can
 * see, /tmp, /etc) finds its own proxy credential but never the operator's model key; it can reach
 * the proxy but not the model endpoint. With the REAL gateway in the sandbox, chat works through
 * the proxy against a fake model server that requires the key.
 */
class TenantModelKeySandboxTest {

  private static final String PREFIX = "clawmk-";
  private static final String MODEL_KEY = "sk-operator-" + AuthTokens.newToken();
  private static final Duration READY = Duration.ofMinutes(3);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  @TempDir Path runtimeDir;

  private FleetFixture f;
  private FakeModelServer model;
  private ModelProxy proxy;
  private ProxyCredentials credentials;
  private Isolation isolation;
  private InetAddress workerAddress;
  private Runnable restoreForwarding;
  private final SystemUsers users = new SystemUsers(PREFIX);

  @BeforeEach
  void setUp() throws Exception {
    SandboxHost.assumeSandboxHost();
    f = new FleetFixture(dir);
    model = FakeModelServer.start(MODEL_KEY);
    ModelProvider template =
        new ModelProvider(
            "clawhive",
            "http://127.0.0.1/v1",
            "placeholder",
            null,
            List.of(FakeModelServer.MODEL_ID));
    restoreForwarding = SandboxHost.forwardingRestorer();
    int[] port = new int[1];
    // as WorkerRole wires it: the proxy binds first, the isolation lets namespaces reach exactly
    // its port on the worker address, gateways are told that address
    AtomicReference<Isolation> isolated = new AtomicReference<>();
    credentials =
        new ProxyCredentials(
            f.storage,
            template,
            () -> port[0],
            id -> isolated.get().modelEndpointHost(id),
            Clock.systemUTC());
    proxy =
        new ModelProxy(
            ModelProxySettings.defaults().withPort(0).withBudgets(0, 0),
            Optional.of(new Upstream(model.baseUrl(), MODEL_KEY)),
            template.modelIds(),
            credentials,
            f.storage,
            f.metrics,
            Clock.systemUTC());
    port[0] = proxy.port();
    IsolationConfig config = SandboxHost.config("sandbox", List.of());
    config.setModelProxyPort(proxy.port());
    isolation = Isolation.forMode(config, 2);
    isolated.set(isolation);
    workerAddress = isolation.modelProxyListenAddress().orElseThrow();
    proxy.listenAlso(workerAddress);
    proxy.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (f != null) {
      f.close();
    }
    if (proxy != null) {
      proxy.stop();
    }
    if (model != null) {
      model.close();
    }
    if (isolation != null) {
      isolation.uninstall();
    }
    if (restoreForwarding != null) {
      restoreForwarding.run();
    }
    for (String id : List.of("sbxkey1", "sbxkey2")) {
      users.find(users.nameFor(id)).ifPresent(users::delete);
    }
  }

  @Test
  void aTenantSearchingEverythingItCanReadFindsNoModelKey() throws Exception {
    FleetSettings settings = sandboxSettings(f.settings(0), new RuntimeLayout(runtimeDir));
    Fleet fleet =
        f.fleet(settings, ConfigCheck.NONE, SkillSource.UNAVAILABLE, isolation, credentials);
    fleet.start();
    String id = fleet.createForTenant(7L, "sbxkey1");
    assertThat(fleet.gatewayFor(7L).chat("s", "hi").content()).isEqualTo("echo: hi (turn 1)");
    Instance row = f.row(id);
    String credential =
        JSON.readTree(Path.of(row.baseDir(), "config", "openclaw.json").toFile())
            .path("models")
            .path("providers")
            .path("clawhive")
            .path("apiKey")
            .asText();
    assertThat(credential).startsWith("chp-");

    String places =
        "\"$HOME\" '"
            + row.baseDir()
            + "' /tmp /etc /run /var /proc/[0-9]*/environ /proc/[0-9]*/cmdline"
            + " /proc/[0-9]*/cwd/ /proc/[0-9]*/root/tmp";
    ExecResult own = exec(row, "grep -rlsF -- '" + credential + "' " + places + " | sort -u");
    assertThat(own.output())
        .as("the search works: it finds the tenant's own credential")
        .contains("openclaw.json");
    // the key reaches the search in two halves, so no command line holds it whole
    int half = MODEL_KEY.length() / 2;
    String pattern =
        "printf '%s%s\\n' '"
            + MODEL_KEY.substring(0, half)
            + "' '"
            + MODEL_KEY.substring(half)
            + "' | ";
    ExecResult key =
        exec(
            row,
            "(env; cat /proc/[0-9]*/environ /proc/[0-9]*/cmdline) > /tmp/.scan 2>/dev/null; "
                + pattern
                + "grep -c -F -f - /tmp/.scan; rm -f /tmp/.scan; "
                + pattern
                + "grep -rlsF -f - "
                + places
                + "; echo searched");
    assertThat(key.output()).as("environment and /proc").startsWith("0\n");
    assertThat(key.output()).as("no file holds the model key").isEqualTo("0\nsearched\n");
    ExecResult environment = exec(row, "env; cat /proc/[0-9]*/environ | tr '\\0' '\\n'");
    assertThat(environment.output())
        .contains("OPENCLAW_STATE_DIR=")
        .doesNotContain("CLAWHIVE_")
        .doesNotContain("TELEGRAM_")
        .doesNotContain(MODEL_KEY);

    String worker = workerAddress.getHostAddress();
    assertThat(connect(row, worker, proxy.port())).as("the proxy").contains("CONNECTED");
    int modelPort = URI.create(model.baseUrl()).getPort();
    for (String host : List.of(worker, "127.0.0.1")) {
      assertThat(connect(row, host, modelPort))
          .as("the model endpoint itself, on %s", host)
          .doesNotContain("CONNECTED");
    }
    assertThat(model.unauthorized()).isZero();

    fleet.deleteInstance(id);
    assertThat(credentials.holds(id)).as("credential revoked with the instance").isFalse();
  }

  @Test
  void theRealGatewayInItsSandboxChatsThroughTheProxy() throws Exception {
    VerifiedRuntime runtime = InstalledRuntime.assumeInstalled();
    FleetSettings base = f.settings(0);
    FleetSettings real =
        new FleetSettings(
            base.nodeId(),
            base.instancesDir(),
            base.ports(),
            0,
            ResourceLimits.defaults(),
            SupervisionPolicy.builder()
                .readinessPeriod(Duration.ofMillis(500))
                .startupTimeout(READY)
                .livenessPeriod(Duration.ofSeconds(2))
                .build(),
            base.hibernateAfter(),
            1024L * 1024 * 1024,
            base.housekeepingInterval(),
            List.of(),
            Optional.of(PREFIX),
            List.of(),
            runtime.layout(),
            FleetFixture.MODEL);
    Fleet fleet =
        f.fleet(
            real,
            new GatewayConfigValidator(runtime.layout())::validate,
            SkillSource.UNAVAILABLE,
            isolation,
            credentials);
    fleet.start();
    String id = fleet.createForTenant(8L, "sbxkey2");
    await().atMost(READY).until(() -> f.row(id).actualState() == InstanceState.RUNNING);

    ChatReply reply = fleet.gatewayFor(8L).chat("s-8", "hello from the sandbox via the proxy");
    assertThat(reply.content()).isEqualTo("turn 1: hello from the sandbox via the proxy");
    assertThat(model.served()).isPositive();
    assertThat(model.unauthorized()).isZero();
    Instance row = f.row(id);
    for (Path file : FleetModelProxyRealGatewayTest.filesUnder(Path.of(row.baseDir()))) {
      assertThat(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1))
          .as("file %s", file)
          .doesNotContain(MODEL_KEY);
    }
    fleet.stop();
  }

  private FleetSettings sandboxSettings(FleetSettings base, RuntimeLayout runtime) {
    return new FleetSettings(
        base.nodeId(),
        base.instancesDir(),
        base.ports(),
        0,
        base.limits(),
        base.policy(),
        base.hibernateAfter(),
        base.diskQuotaBytes(),
        base.housekeepingInterval(),
        List.of(),
        Optional.of(PREFIX),
        base.gatewayProgram(),
        runtime,
        base.model());
  }

  /** Runs a command inside the instance's sandbox (the stand-in listens in its namespace). */
  private ExecResult exec(Instance row, String cmd) throws Exception {
    return StandIn.exec(isolation.gatewayHost(row.id()), row.port(), row.authToken(), cmd);
  }

  private String connect(Instance row, String host, int port) throws Exception {
    return exec(
            row,
            "timeout 5 bash -c 'exec 3<>/dev/tcp/" + host + "/" + port + "' 2>&1 && echo CONNECTED")
        .output();
  }
}
