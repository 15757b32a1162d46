package io.clawhive.worker.standin;

import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.PortAllocator;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.limits.LimiterSettings;
import io.clawhive.worker.limits.ResourceLimits;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.LaunchSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Test support: provisions an instance directory for the stand-in and talks to it. */
public final class StandIn {

  /** Tests create their cgroups under their own group name, apart from a real worker's. */
  public static final LimiterSettings LIMITER_SETTINGS =
      LimiterSettings.defaults().withGroupName("clawhive-test");

  public static final ResourceLimits SMALL_LIMITS =
      new ResourceLimits(256 * ResourceLimits.MIB, 64, 1.0);

  private static final String LOOPBACK = "127.0.0.1";
  private static final PortAllocator PORTS = new PortAllocator(42_000, 42_980, 20);
  private static final Set<Integer> USED = new HashSet<>();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private StandIn() {}

  /** No runtime is needed by the stand-in; its (absent) node dir only lands on PATH. */
  public static final RuntimeLayout NO_RUNTIME = new RuntimeLayout(Path.of("/nonexistent-runtime"));

  /**
   * The stand-in's program (a configurable {@code gatewayCommand}), launched with this JVM's java
   * and the test classes only; {@link GatewayCommand#gatewayRun(List, int)} adds the arguments.
   */
  public static List<String> program() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classes;
    try {
      classes =
          Path.of(StandInGateway.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return List.of(
        java,
        "-Xms8m",
        "-Xmx768m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:-UsePerfData",
        "-Xss512k",
        "-cp",
        classes,
        StandInGateway.class.getName());
  }

  /** {@link #program()} for a stand-in whose every chat answer takes {@code delay}. */
  public static List<String> programAnsweringAfter(Duration delay) {
    List<String> program = new ArrayList<>(program());
    program.add(
        program.indexOf("-cp"),
        "-D" + StandInGateway.ANSWER_DELAY_PROPERTY + "=" + delay.toMillis());
    return List.copyOf(program);
  }

  public static synchronized int port() {
    int port = PORTS.allocate(USED).orElseThrow();
    USED.add(port);
    return port;
  }

  /** Makes {@code root} passable (not listable) for tenant users, as a worker's data dir is. */
  public static Path instancesRoot(Path tempDir) throws IOException {
    Files.setPosixFilePermissions(tempDir, PosixFilePermissions.fromString("rwx--x--x"));
    return tempDir;
  }

  /** Creates the instance dirs and an openclaw.json with the token and {@code standin} JSON. */
  public static InstanceLayout provision(
      Path root, String id, Optional<SystemUser> user, String token, String standinJson) {
    return provision(root, id, user, token, standinJson, Optional.empty());
  }

  /**
   * As {@link #provision(Path, String, Optional, String, String)}, with {@code gateway.bind:
   * custom} on {@code bindHost} when present (a gateway in its own network namespace).
   */
  public static InstanceLayout provision(
      Path root,
      String id,
      Optional<SystemUser> user,
      String token,
      String standinJson,
      Optional<String> bindHost) {
    InstanceLayout layout = InstanceLayout.of(root, id).create(user);
    String bind =
        bindHost
            .map(h -> "\"bind\":\"custom\",\"customBindHost\":" + MiniJson.quote(h) + ",")
            .orElse("");
    String config =
        "{\"gateway\":{"
            + bind
            + "\"mode\":\"local\",\"auth\":{\"mode\":\"token\",\"token\":"
            + MiniJson.quote(token)
            + "}},\"standin\":"
            + standinJson
            + "}";
    try {
      Files.writeString(layout.configFile(), config);
      if (user.isPresent()) {
        InstanceLayout.chown(layout.configFile(), user.get());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return layout;
  }

  public static LaunchSpec spec(
      InstanceLayout layout, int port, Optional<SystemUser> user, ResourceLimits limits) {
    return LaunchSpec.forInstance(
        layout, port, GatewayCommand.gatewayRun(program(), port), NO_RUNTIME, user, limits);
  }

  public static HttpResponse<String> chat(int port, String token, String user, String text)
      throws IOException, InterruptedException {
    return chat(LOOPBACK, port, token, user, text);
  }

  public static HttpResponse<String> chat(
      String host, int port, String token, String user, String text)
      throws IOException, InterruptedException {
    String body =
        "{\"model\":\"openclaw/default\",\"user\":"
            + MiniJson.quote(user)
            + ",\"messages\":[{\"role\":\"user\",\"content\":"
            + MiniJson.quote(text)
            + "}]}";
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public static HttpResponse<String> control(int port, String token, String action)
      throws IOException, InterruptedException {
    return control(LOOPBACK, port, token, action);
  }

  public static HttpResponse<String> control(String host, int port, String token, String action)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/__standin/" + action))
            .timeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** What a command run through the stand-in's test /exec hook did. */
  public record ExecResult(int exit, String output) {}

  /** Runs {@code sh -c cmd} inside the stand-in (as its user, in its sandbox) via the test hook. */
  public static ExecResult exec(int port, String token, String cmd)
      throws IOException, InterruptedException {
    return exec(LOOPBACK, port, token, cmd);
  }

  /** As {@link #exec(int, String, String)} for a gateway listening on {@code host}. */
  public static ExecResult exec(String host, int port, String token, String cmd)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://"
                            + host
                            + ":"
                            + port
                            + "/__standin/exec?cmd="
                            + java.net.URLEncoder.encode(
                                cmd, java.nio.charset.StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("exec hook answered " + response.statusCode() + ": " + response.body());
    }
    Object body = MiniJson.parse(response.body());
    return new ExecResult(
        ((Number) MiniJson.path(body, "exit")).intValue(),
        String.valueOf(MiniJson.path(body, "output")));
  }

  /** True when something accepts connections on the loopback port. */
  public static boolean listening(int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
