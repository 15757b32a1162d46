package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clawhive.core.storage.HostSeat;
import io.clawhive.core.storage.HostSeatDao;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.standin.StandInGateway;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's first command as an ordinary user: the PACKAGED node (target/clawhive.jar) started
 * with the shipped config.yml and its defaults (isolation auto) as a throwaway unprivileged system
 * user through {@code setpriv}, Telegram from the fake Bot API on loopback, stand-in gateways as
 * {@code CLAWHIVE_GATEWAY_COMMAND}. It starts single-tenant: the first user is answered, a second
 * gets the one-person reply (once) and no gateway; with {@code
 * CLAWHIVE_ISOLATION_ALLOW_SHARED_NONE=true} both are answered.
 *
 * <p>Needs root (to make the user and drop to it) and setpriv; skipped otherwise. Run under the
 * root-tests lock (it uses useradd/userdel).
 */
class NonRootNodeIT {
  private static final Path CONFIG = Path.of("..", "config.yml").toAbsolutePath().normalize();
  private static final String BOT_TOKEN = "515151:non-root-bot-token";
  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration REPLY = Duration.ofSeconds(90);

  /** Gateway ports of this test, apart from the worker tests' and the other e2e tests' ranges. */
  private static final int FIRST_GATEWAY_PORT = 48_000;

  private static final int LAST_GATEWAY_PORT = 48_980;
  private static final long FIRST_USER = 7001;
  private static final long SECOND_USER = 7002;

  private final HttpClient http = HttpClient.newHttpClient();
  private final String user = "clawnr" + UUID.randomUUID().toString().substring(0, 8);
  private Path dir;
  private Path dataDir;
  private int uid;
  private int gid;
  private FakeTelegramBotApi telegram;
  private Process node;
  private int adminPort;
  private long updateId = 1;

  @BeforeEach
  void setUp() throws Exception {
    assumeTrue(
        SystemUsers.runningAsRoot(),
        "not root: this test creates a throwaway user and runs the node as that user");
    assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/setpriv"))
            || Files.isExecutable(Path.of("/bin/setpriv")),
        "setpriv (util-linux) is not installed");
    run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user);
    uid = Integer.parseInt(run("id", "-u", user).trim());
    gid = Integer.parseInt(run("id", "-g", user).trim());
    dir = Files.createTempDirectory("clawhive-nonroot-");
    dataDir = dir.resolve("data");
    Files.createDirectories(dataDir);
    Files.copy(jar(), dir.resolve("clawhive.jar"));
    Files.copy(CONFIG, dir.resolve("config.yml"));
    copyStandInClasses(dir.resolve("standin"));
    run("chown", "-R", uid + ":" + gid, dir.toString());
    run("chmod", "0700", dir.toString());
    telegram = new FakeTelegramBotApi(BOT_TOKEN);
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      stopNode();
      if (telegram != null) {
        telegram.close();
      }
    } finally {
      killProcessesOf(uid);
      if (uid > 0) {
        run("userdel", user);
      }
      if (dir != null) {
        try (Stream<Path> paths = Files.walk(dir)) {
          paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  @Test
  void asAnOrdinaryUserTheNodeServesOnePersonAndSharedModeServesBoth() throws Exception {
    startNode(false);
    String health = healthcheck();
    assertThat(health).contains("isolation none, single tenant");
    assertThat(Files.readString(dir.resolve("node.log")))
        .contains("single-tenant mode")
        .contains("run as root")
        .contains("CLAWHIVE_ISOLATION_ALLOW_SHARED_NONE=true");

    say(FIRST_USER, "hello");
    awaitReply(FIRST_USER, "echo: hello (turn 1)");

    say(SECOND_USER, "hi");
    awaitReply(SECOND_USER, HostSeatDao.ONE_PERSON_REPLY);
    say(SECOND_USER, "anyone there?");
    say(FIRST_USER, "again");
    awaitReply(FIRST_USER, "echo: again (turn 2)");
    assertThat(telegram.sentTo(SECOND_USER)).extracting(Sent::text).hasSize(1);
    // one gateway: the first user's (the warm spare it claimed); the pool makes no second one
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(30))
        .until(() -> gatewayProcessesOf(uid) == 1);

    stopNode();
    Storage stored = storage();
    List<Instance> instances = stored.dao(InstanceDao.class).listAll();
    assertThat(instances).hasSize(1);
    assertThat(instances.get(0).tenantId()).isEqualTo(FIRST_USER);
    assertThat(stored.dao(InstanceDao.class).findByTenant(SECOND_USER)).isEmpty();
    assertThat(stored.dao(HostSeatDao.class).listAll())
        .singleElement()
        .extracting(HostSeat::tenantId)
        .isEqualTo(FIRST_USER);
    run("chown", "-R", uid + ":" + gid, dataDir.toString());

    startNode(true);
    assertThat(healthcheck()).contains("isolation none, shared");
    say(SECOND_USER, "my turn");
    awaitReply(SECOND_USER, "echo: my turn (turn 1)");
    say(FIRST_USER, "still here");
    awaitReply(FIRST_USER, "echo: still here (turn 1)"); // its gateway was started again
    stopNode();
    assertThat(storage().dao(InstanceDao.class).findByTenant(SECOND_USER)).isPresent();
    assertThat(storage().dao(HostSeatDao.class).listAll()).isEmpty();
  }

  // ---- the node as the throwaway user ----

  private void startNode(boolean shared) throws Exception {
    adminPort = freePort();
    List<String> command =
        List.of(
            "setpriv",
            "--reuid=" + uid,
            "--regid=" + gid,
            "--clear-groups",
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            dir.resolve("clawhive.jar").toString(),
            "server",
            dir.resolve("config.yml").toString());
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder
        .environment()
        .keySet()
        .removeIf(k -> k.startsWith("CLAWHIVE_") || k.startsWith("TELEGRAM_"));
    var env = builder.environment();
    env.put("HOME", dir.toString());
    env.put("USER", user);
    env.put("CLAWHIVE_DATA_DIR", dataDir.toString());
    // the same worker across both starts (the default id names the HTTP port, a free one here)
    env.put("CLAWHIVE_NODE_ID", "nonroot-" + user);
    env.put("CLAWHIVE_HTTP_PORT", Integer.toString(freePort()));
    env.put("CLAWHIVE_ADMIN_PORT", Integer.toString(adminPort));
    env.put("CLAWHIVE_BROKER_PORT", Integer.toString(freePort()));
    env.put("CLAWHIVE_GATEWAY_COMMAND", String.join(" ", standInProgram()));
    env.put("CLAWHIVE_GATEWAY_PORT_FIRST", Integer.toString(FIRST_GATEWAY_PORT));
    env.put("CLAWHIVE_GATEWAY_PORT_LAST", Integer.toString(LAST_GATEWAY_PORT));
    env.put("CLAWHIVE_HOUSEKEEPING_INTERVAL", "1s");
    env.put("CLAWHIVE_INSTANCE_MEMORY", "512MiB");
    env.put("TELEGRAM_BOT_TOKEN", BOT_TOKEN);
    env.put("TELEGRAM_API_URL", telegram.baseUrl());
    env.put("TELEGRAM_POLL_TIMEOUT", "1s");
    if (shared) {
      env.put("CLAWHIVE_ISOLATION_ALLOW_SHARED_NONE", "true");
    }
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node.log").toFile()));
    node = builder.start();
    await()
        .atMost(START)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              if (!node.isAlive()) {
                throw new AssertionError(
                    "the node exited with " + node.exitValue() + ":\n" + logTail());
              }
              return healthStatus() == 200;
            });
  }

  private void stopNode() throws Exception {
    if (node == null) {
      return;
    }
    node.destroy();
    if (!node.waitFor(60, TimeUnit.SECONDS)) {
      node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    node = null;
  }

  private int healthStatus() {
    try {
      return http.send(healthRequest(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private String healthcheck() throws Exception {
    HttpResponse<String> response =
        http.send(healthRequest(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  private HttpRequest healthRequest() {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthcheck"))
        .timeout(Duration.ofSeconds(10))
        .build();
  }

  private void say(long from, String text) {
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(updateId++, from, text));
  }

  private void awaitReply(long chat, String text) throws IOException {
    try {
      await()
          .atMost(REPLY)
          .until(
              () -> {
                if (node != null && !node.isAlive()) {
                  throw new AssertionError("the node exited:\n" + logTail());
                }
                return telegram.sentTo(chat).stream().anyMatch(s -> s.text().equals(text));
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "no reply \""
              + text
              + "\" to "
              + chat
              + "; sent there: "
              + telegram.sentTo(chat).stream().map(Sent::text).toList()
              + "\nnode log:\n"
              + logTail(),
          e);
    }
  }

  private String logTail() throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve("node.log"), StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  // ---- the stand-in gateway, readable by the user ----

  /** The stand-in program with its classes from the copy under the test directory. */
  private List<String> standInProgram() {
    List<String> program = new ArrayList<>(StandIn.program());
    int cp = program.indexOf("-cp");
    program.set(cp + 1, dir.resolve("standin").toString());
    return program;
  }

  /** Copies the stand-in's package (the gateway and its JSON helper) out of the test classes. */
  private static void copyStandInClasses(Path target) throws Exception {
    Path source =
        Path.of(StandInGateway.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String pkg = StandInGateway.class.getPackageName().replace('.', '/');
    Path packageDir = target.resolve(pkg);
    Files.createDirectories(packageDir);
    if (Files.isDirectory(source)) {
      try (Stream<Path> files = Files.list(source.resolve(pkg))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
          Files.copy(
              file, packageDir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return;
    }
    try (var zip = java.nio.file.FileSystems.newFileSystem(source)) {
      try (Stream<Path> files = Files.list(zip.getPath(pkg))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
          Files.copy(file, packageDir.resolve(file.getFileName().toString()));
        }
      }
    }
  }

  // ---- processes, users, storage ----

  /** Stand-in gateway processes running as {@code uid}. */
  private static long gatewayProcessesOf(int uid) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().orElse("").contains(StandInGateway.class.getName()))
        .filter(p -> ownerUid(p.pid()) == uid)
        .count();
  }

  private static void killProcessesOf(int uid) {
    if (uid <= 0) {
      return;
    }
    ProcessHandle.allProcesses()
        .filter(p -> ownerUid(p.pid()) == uid)
        .forEach(ProcessHandle::destroyForcibly);
  }

  private static int ownerUid(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("Uid:")) {
          return Integer.parseInt(line.split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone meanwhile
    }
    return -1;
  }

  private static Path jar() {
    Path jar = Path.of(System.getProperty("clawhive.jar", "target/clawhive.jar"));
    assertThat(jar)
        .as("the packaged node: run this test with `mvn -pl app -am verify`")
        .isRegularFile();
    return jar;
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    return output;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * The node's H2 file, read after the node stopped (each call opens and closes its connection, so
   * the database is closed again before the node starts; the caller chowns the files back).
   */
  private Storage storage() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL(
        "jdbc:h2:file:" + dataDir.resolve("db").resolve("clawhive") + ";DB_CLOSE_ON_EXIT=FALSE");
    dataSource.setUser("clawhive");
    dataSource.setPassword("");
    return Storage.create(dataSource);
  }
}
