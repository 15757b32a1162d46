package io.clawhive.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.ModelUsageDao;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.task.CreateInstance;
import io.clawhive.worker.fakes.FakeModelServer;
import io.clawhive.worker.fakes.InstalledRuntime;
import io.clawhive.worker.gateway.ChatReply;
import io.clawhive.worker.gateway.GatewayConfigValidator;
import io.clawhive.worker.gateway.ModelProvider;
import io.clawhive.worker.instance.AuthTokens;
import io.clawhive.worker.limits.ResourceLimits;
import io.clawhive.worker.modelproxy.ModelProxy;
import io.clawhive.worker.modelproxy.ModelProxySettings;
import io.clawhive.worker.modelproxy.ProxyCredentials;
import io.clawhive.worker.modelproxy.Upstream;
import io.clawhive.worker.node.TaskDispatcher;
import io.clawhive.worker.openclaw.VerifiedRuntime;
import io.clawhive.worker.supervision.SupervisionPolicy;
import io.clawhive.worker.tasks.FleetTaskHandlers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REAL OpenClaw gateway (one) behind the worker's model proxy, the fake model server requiring
 * the operator's key: chat works; the rendered {@code openclaw.json}, the gateway's environment
 * ({@code /proc/<pid>/environ} of it and its children) and every file of the instance hold neither
 * the model key nor the worker's other secrets; a tenant over its token budget is refused by the
 * proxy, and we record what the gateway makes of that refusal.
 */
class FleetModelProxyRealGatewayTest {

  private static final Logger LOG = LoggerFactory.getLogger(FleetModelProxyRealGatewayTest.class);
  private static final Duration READY = Duration.ofMinutes(3);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL_KEY = "sk-operator-" + AuthTokens.newToken();

  @TempDir Path dir;

  @Test
  void chatGoesThroughTheProxyAndTheKeyIsNowhereInTheTenantsReach() throws Exception {
    VerifiedRuntime runtime = InstalledRuntime.assumeInstalled();
    try (FakeModelServer model = FakeModelServer.start(MODEL_KEY);
        FleetFixture f = new FleetFixture(dir)) {
      ModelProvider template =
          new ModelProvider(
              "clawhive",
              "http://127.0.0.1/v1",
              "placeholder",
              null,
              List.of(FakeModelServer.MODEL_ID));
      int[] port = new int[1];
      ProxyCredentials credentials =
          new ProxyCredentials(
              f.storage, template, () -> port[0], id -> "127.0.0.1", Clock.systemUTC());
      ModelProxy proxy =
          new ModelProxy(
              ModelProxySettings.defaults().withPort(0).withBudgets(0, 1_000_000),
              Optional.of(new Upstream(model.baseUrl(), MODEL_KEY)),
              template.modelIds(),
              credentials,
              f.storage,
              f.metrics,
              Clock.systemUTC());
      port[0] = proxy.port();
      proxy.start();
      try {
        Fleet fleet =
            f.fleet(
                realSettings(f, runtime),
                new GatewayConfigValidator(runtime.layout())::validate,
                SkillSource.UNAVAILABLE,
                FleetFixture.noIsolation(),
                credentials);
        fleet.start();
        TaskDispatcher dispatcher = FleetTaskHandlers.register(new TaskDispatcher("n"), fleet);
        dispatcher.handle(CreateInstance.forTenant(7L, Instant.now()));
        String session =
            f.storage.dao(TenantDao.class).findById(7L).map(Tenant::sessionKey).orElseThrow();

        ChatReply first = fleet.gatewayFor(7L).chat(session, "hello through the proxy");
        ChatReply second = fleet.gatewayFor(7L).chat(session, "and again");
        assertThat(first.content()).isEqualTo("turn 1: hello through the proxy");
        assertThat(second.content()).isEqualTo("turn 2: and again");
        assertThat(model.served()).isGreaterThanOrEqualTo(2);
        assertThat(model.unauthorized()).as("the gateway never called the model itself").isZero();
        assertThat(f.metrics.meter("worker.modelproxy.requests").getCount())
            .isEqualTo(model.served());
        LOG.info(
            "measured: {} model requests for 2 turns, first chat {} ms, second {} ms",
            model.served(),
            first.latency().toMillis(),
            second.latency().toMillis());

        Instance row = f.rowOfTenant(7L).orElseThrow();
        JsonNode provider =
            JSON.readTree(Path.of(row.baseDir(), "config", "openclaw.json").toFile())
                .path("models")
                .path("providers")
                .path("clawhive");
        assertThat(provider.path("baseUrl").asText())
            .isEqualTo("http://127.0.0.1:" + proxy.port() + "/v1");
        assertThat(provider.path("apiKey").asText()).startsWith("chp-").isNotEqualTo(MODEL_KEY);

        List<String> secrets = List.of(MODEL_KEY, "CLAWHIVE_ADMIN_TOKEN", "TELEGRAM_BOT_TOKEN");
        for (long pid : gatewayTree(row.pid())) {
          String environ = read(Path.of("/proc/" + pid + "/environ"));
          assertThat(environ).as("environment of gateway process %d", pid).isNotEmpty();
          for (String secret : secrets) {
            assertThat(environ).as("environment of %d", pid).doesNotContain(secret);
          }
        }
        List<Path> files = filesUnder(Path.of(row.baseDir()));
        assertThat(files).as("the instance's files").hasSizeGreaterThan(3);
        for (Path file : files) {
          assertThat(read(file)).as("file %s", file).doesNotContain(MODEL_KEY);
        }

        // the tenant has used its budget: the proxy refuses; what does the gateway answer?
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        f.storage.dao(ModelUsageDao.class).add(7, today, 0, 2_000_000, 0, 0, 0, Instant.now());
        long served = model.served();
        Instant asked = Instant.now();
        long started = System.nanoTime();
        Throwable failure = null;
        String answer = null;
        try {
          answer = fleet.gatewayFor(7L).chat(session, "over budget now?").content();
        } catch (RuntimeException e) {
          failure = e;
        }
        LOG.info(
            "measured: the gateway's reply to a budget refusal after {} ms: answer={} failure={}",
            (System.nanoTime() - started) / 1_000_000,
            answer,
            failure == null ? null : failure.toString());
        assertThat(model.served()).as("refused requests never reach the model").isEqualTo(served);
        assertThat(proxy.budgetRefusals().refusedSince(7L, asked))
            .get()
            .asString()
            .contains("daily budget");
        assertThat(proxy.budgetRefusals().exhausted(7L)).isPresent();
        fleet.stop();
      } finally {
        proxy.stop();
      }
    }
  }

  private static FleetSettings realSettings(FleetFixture f, VerifiedRuntime runtime) {
    FleetSettings base = f.settings(0);
    return new FleetSettings(
        base.nodeId(),
        base.instancesDir(),
        base.ports(),
        0,
        ResourceLimits.defaults(),
        SupervisionPolicy.builder()
            .readinessPeriod(Duration.ofMillis(250))
            .startupTimeout(READY)
            .livenessPeriod(Duration.ofSeconds(2))
            .backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(10))
            .build(),
        base.hibernateAfter(),
        1024L * 1024 * 1024,
        base.housekeepingInterval(),
        List.of(),
        Optional.empty(),
        List.of(),
        runtime.layout(),
        FleetFixture.MODEL);
  }

  private static List<Long> gatewayTree(Long pid) {
    List<Long> pids = new ArrayList<>();
    ProcessHandle root = ProcessHandle.of(pid).orElseThrow();
    pids.add(root.pid());
    root.descendants().forEach(p -> pids.add(p.pid()));
    return pids;
  }

  static List<Path> filesUnder(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.filter(Files::isRegularFile).toList();
    }
  }

  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "";
    }
  }
}
