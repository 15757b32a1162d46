package io.clawhive.app.failover;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One clawhive node as a real child JVM: this test JVM's java and class path, main class {@code
 * ClawhiveApplication server config.yml}, settings as {@code -Ddw.*} overrides (Dropwizard's), its
 * output in {@code node.log}. Killed with SIGKILL ({@link #kill}) or stopped with SIGTERM.
 */
final class ChildNode implements AutoCloseable {
  static final Path CONFIG = Path.of("..", "config.yml").toAbsolutePath().normalize();
  private static final Duration START = Duration.ofSeconds(240);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final String nodeId;
  final Path dir;
  private final Map<String, String> settings = new LinkedHashMap<>();
  private final List<ProcessHandle> leftovers = new ArrayList<>();
  private Process process;
  private int adminPort;

  ChildNode(String nodeId, Path dir) {
    this.nodeId = nodeId;
    this.dir = dir;
  }

  ChildNode set(String key, String value) {
    settings.put(key, value);
    return this;
  }

  /** Starts the JVM (not waiting for it). */
  ChildNode launch() throws IOException {
    Files.createDirectories(dir);
    adminPort = freePort();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    Map<String, String> all = new LinkedHashMap<>(settings);
    all.put("nodeId", nodeId);
    all.put("server.applicationConnectors[0].port", Integer.toString(freePort()));
    all.put("server.adminConnectors[0].port", Integer.toString(adminPort));
    all.forEach((k, v) -> command.add("-Ddw." + k + "=" + v));
    command.add("io.clawhive.app.ClawhiveApplication");
    command.add("server");
    command.add(CONFIG.toString());
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder
        .environment()
        .keySet()
        .removeIf(k -> k.startsWith("CLAWHIVE_") || k.startsWith("TELEGRAM_"));
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    process = builder.start();
    return this;
  }

  /** Waits until {@code /healthcheck} answers 200. */
  ChildNode awaitHealthy() {
    try {
      await()
          .atMost(START)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new AssertionError(
                      nodeId + " exited with " + process.exitValue() + ":\n" + logTail(40));
                }
                return healthStatus() == 200;
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(nodeId + " not healthy within " + START + ":\n" + logTail(40), e);
    }
    return this;
  }

  /** SIGKILL: no shutdown hook, no clean stop; its gateways stay behind as orphans. */
  void kill() throws InterruptedException {
    leftovers.addAll(process.descendants().toList());
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  void suspend() throws Exception {
    signal("STOP");
  }

  private void signal(String name) throws Exception {
    new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
        .inheritIO()
        .start()
        .waitFor(10, TimeUnit.SECONDS);
  }

  /** Gateway processes this node runs now. */
  long gatewayProcesses() {
    return process.children().filter(ProcessHandle::isAlive).count();
  }

  Path log() {
    return dir.resolve("node.log");
  }

  String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log(), StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private int healthStatus() {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthcheck"))
              .timeout(Duration.ofSeconds(10))
              .build();
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      List<ProcessHandle> children = process.descendants().toList();
      process.destroy();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      leftovers.addAll(children);
    }
    leftovers.forEach(ProcessHandle::destroyForcibly);
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
