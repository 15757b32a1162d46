package io.clawhive.worker.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.clawhive.worker.fakes.FakeModelServer;
import io.clawhive.worker.fakes.InstalledRuntime;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.supervision.HealthProbe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real OpenClaw gateway from the pinned runtime, one at a time, against {@link
 * FakeModelServer}: config rendered and validated, ready on /readyz, conversation kept per session
 * key, kill -9, started again on the same directories, chatting again.
 */
class RealGatewayTest {

  /** Ready takes 5–15 s on 2 busy cores; leave room for a loaded build machine. */
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(2);

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  /** Seen: the two helper processes exit within ≈ 2 s of a kill -9 of the gateway. */
  private static final Duration CHILD_EXIT_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger LOG = LoggerFactory.getLogger(RealGatewayTest.class);
  private static final String TOKEN = "test-gateway-token-0123456789";

  @TempDir Path dir;

  private RuntimeLayout runtime;
  private FakeModelServer model;
  private RealGatewayProcess gateway;
  private int port;
  private Map<String, String> env;
  private GatewayClient client;
  private final HealthProbe probe = new HealthProbe(Clock.systemUTC());

  @BeforeEach
  void setUp() throws Exception {
    runtime = InstalledRuntime.assumeInstalled().layout();
    model = FakeModelServer.start("model-key");
    port = freePort();
    Path home = Files.createDirectories(dir.resolve("home"));
    Path state = Files.createDirectories(dir.resolve("state"));
    Files.createDirectories(dir.resolve("workspace"));
    Path config = dir.resolve("config/openclaw.json");
    Files.createDirectories(config.getParent());
    new GatewayConfigRenderer()
        .write(
            new GatewayConfigSpec(
                port,
                TOKEN,
                dir.resolve("logs/openclaw.log"),
                dir.resolve("workspace"),
                new ModelProvider(
                    "fake",
                    model.baseUrl(),
                    model.apiKey(),
                    null,
                    List.of(FakeModelServer.MODEL_ID))),
            config);
    env = GatewayCommand.environment(runtime, home, config, state);
    new GatewayConfigValidator(runtime).validate("inst-real", env);
    HttpClient http = GatewayClient.newHttpClient(GatewayClient.DEFAULT_CONNECT_TIMEOUT);
    client = GatewayClient.forLoopback(http, "inst-real", port, TOKEN);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    if (model != null) {
      model.close();
    }
  }

  @Test
  void keepsConversationsPerSessionKeyAndChatsAgainAfterKill9() throws Exception {
    startAndAwaitReady("first start");

    ChatReply first = client.chat("tenant-a", "hello");
    ChatReply second = client.chat("tenant-a", "what did I say?");
    ChatReply other = client.chat("tenant-b", "hi, I am b");
    LOG.info(
        "measured: first chat {} ms, second {} ms, other session {} ms, RSS after 3 turns {} MB",
        first.latency().toMillis(),
        second.latency().toMillis(),
        other.latency().toMillis(),
        gateway.rssBytes() / (1024 * 1024));

    assertThat(first.content()).isEqualTo("turn 1: hello");
    assertThat(second.content()).isEqualTo("turn 2: what did I say?");
    assertThat(other.content()).isEqualTo("turn 1: hi, I am b");
    assertModelSawTheGatewaysStreamingProtocol();

    List<ProcessHandle> children = gateway.rememberDescendants();
    gateway.kill9();
    assertThat(gateway.process().exitValue()).isEqualTo(137);
    assertThat(children).as("gateway helper processes").isNotEmpty();
    await("gateway helper processes exit once their parent was killed")
        .atMost(CHILD_EXIT_TIMEOUT)
        .until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
    assertThatThrownBy(() -> client.chat("tenant-a", "anyone there?"))
        .isInstanceOf(GatewayUnavailableException.class);
    gateway.close();

    startAndAwaitReady("start after kill -9");
    ChatReply afterRestart = client.chat("tenant-a", "back again");
    LOG.info("measured: first chat after restart {} ms", afterRestart.latency().toMillis());

    assertThat(afterRestart.content()).endsWith(": back again");
    assertThat(afterRestart.content()).isEqualTo("turn 3: back again");
    assertThat(Files.size(dir.resolve("logs/openclaw.log"))).isPositive();
  }

  private void startAndAwaitReady(String what) throws IOException {
    long started = System.nanoTime();
    gateway =
        RealGatewayProcess.start(
            runtime, port, env, dir.resolve("home"), dir.resolve("gateway.out"));
    await(what + ": /readyz 200 on port " + port)
        .atMost(READY_TIMEOUT)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              if (!gateway.process().isAlive()) {
                throw new AssertionError(
                    "gateway exited "
                        + gateway.process().exitValue()
                        + ": "
                        + tail(dir.resolve("gateway.out")));
              }
              return probe.probe(port, HealthProbe.READINESS_PATH, PROBE_TIMEOUT).join().ok();
            });
    assertThat(probe.probe(port, HealthProbe.LIVENESS_PATH, PROBE_TIMEOUT).join().ok()).isTrue();
    LOG.info(
        "measured: {} ready in {} ms, RSS {} MB",
        what,
        (System.nanoTime() - started) / 1_000_000,
        gateway.rssBytes() / (1024 * 1024));
  }

  private void assertModelSawTheGatewaysStreamingProtocol() {
    List<JsonNode> requests = model.requests();
    assertThat(requests).hasSizeGreaterThanOrEqualTo(3);
    assertThat(requests)
        .allSatisfy(
            body -> {
              assertThat(body.path("stream").asBoolean()).isTrue();
              assertThat(body.path("model").asText()).isEqualTo(FakeModelServer.MODEL_ID);
              assertThat(body.path("messages").path(0).path("role").asText()).isEqualTo("system");
            });
    assertThat(requests.get(0).path("messages").toString())
        .contains(FakeModelServer.INTERNAL_CONTEXT_MARKER)
        .contains("Runtime: ");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }
}
