package io.clawhive.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clawhive.worker.standin.StandIn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole node in its own JVM, stopped the way systemd stops it (SIGTERM to the JVM): it exits
 * within the bound, with the JVM's SIGTERM status, its gateway stopped, and no ERROR in its log.
 */
class CleanStopTest {
  private static final Duration START_BOUND = Duration.ofSeconds(120);
  private static final Duration STOP_BOUND = Duration.ofSeconds(60);

  /** What a JVM exits with after SIGTERM (128 + 15); the units list it as success. */
  private static final int SIGTERM_STATUS = 143;

  private static final Pattern GATEWAY_PORT = Pattern.compile("--port (\\d+)");

  @TempDir Path dataDir;
  private final HttpClient http = HttpClient.newHttpClient();
  private Process node;

  @AfterEach
  void killLeftovers() {
    if (node != null && node.isAlive()) {
      node.descendants().forEach(ProcessHandle::destroyForcibly);
      node.destroyForcibly();
    }
  }

  @Test
  void sigtermStopsTheWholeNodeAndItsGatewayWithoutAnError() throws Exception {
    Path log = dataDir.resolve("node.log");
    int adminPort = TestNode.freePort();
    node = startNode(log, adminPort);

    await()
        .atMost(START_BOUND)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> healthy(adminPort).orElse("").contains("pool 1/1"));
    ProcessHandle gateway =
        await()
            .atMost(START_BOUND)
            .until(() -> standInGateway().filter(this::ready), Optional::isPresent)
            .orElseThrow();

    node.toHandle().destroy(); // SIGTERM
    assertThat(node.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS))
        .as("node stopped within %s", STOP_BOUND)
        .isTrue();

    List<String> lines = Files.readAllLines(log);
    assertThat(node.exitValue()).as(String.join("\n", lines)).isEqualTo(SIGTERM_STATUS);
    assertThat(gateway.isAlive()).as("gateway stopped with the node").isFalse();
    assertThat(lines)
        .as("node log")
        .anyMatch(line -> line.contains("Embedded AMQP broker on port"))
        .noneMatch(line -> line.startsWith("ERROR"))
        .noneMatch(line -> line.contains("Connection closed by external action"));
    int consumerStopped = indexOf(lines, "Stopped consuming");
    int brokerShuttingDown = indexOf(lines, "BRK-1003");
    assertThat(consumerStopped).as("consumer stopped").isNotNegative();
    assertThat(brokerShuttingDown)
        .as("the broker shuts down after the consumer stopped")
        .isGreaterThan(consumerStopped);
  }

  private Process startNode(Path log, int adminPort) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ClawhiveApplication.class.getName());
    command.add("server");
    command.add(TestNode.CONFIG.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("CLAWHIVE_") || k.startsWith("TELEGRAM_"));
    env.put("CLAWHIVE_DATA_DIR", dataDir.resolve("data").toString());
    env.put("CLAWHIVE_NODE_ID", "clean-stop");
    env.put("CLAWHIVE_HTTP_PORT", Integer.toString(TestNode.freePort()));
    env.put("CLAWHIVE_ADMIN_PORT", Integer.toString(adminPort));
    env.put("CLAWHIVE_BROKER_PORT", Integer.toString(TestNode.freePort()));
    env.put("CLAWHIVE_ISOLATION", "none");
    env.put("CLAWHIVE_WORKER_CAPACITY", "1");
    env.put("CLAWHIVE_POOL_SIZE", "1");
    env.put("CLAWHIVE_GATEWAY_COMMAND", String.join(" ", StandIn.program()));
    return builder.start();
  }

  private Optional<String> healthy(int adminPort) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthcheck"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  private Optional<ProcessHandle> standInGateway() {
    return node.descendants()
        .filter(p -> p.info().commandLine().orElse("").contains("StandInGateway"))
        .findFirst();
  }

  private boolean ready(ProcessHandle gateway) {
    Matcher port = GATEWAY_PORT.matcher(gateway.info().commandLine().orElse(""));
    if (!port.find()) {
      return false;
    }
    try {
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/readyz"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (Exception e) {
      return false;
    }
  }

  private static int indexOf(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(text)) {
        return i;
      }
    }
    return -1;
  }
}
