package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.clawhive.app.ClawhiveApplication;
import io.clawhive.app.ClawhiveConfiguration;
import io.clawhive.core.broker.AmqpConnections;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.broker.EmbeddedBroker;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.sandbox.IsolationConfig;
import io.clawhive.worker.sandbox.SandboxHost;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One clawhive node for end-to-end tests, started through {@link DropwizardTestSupport} from the
 * repository's config.yml on free ports: embedded broker and H2 by default, RabbitMQ / PostgreSQL
 * (a fresh schema per node) when CLAWHIVE_TEST_AMQP_URI / CLAWHIVE_TEST_DB_URL are set. Logs to a
 * file of its own; {@link #close} stops it, asserts the log has no unexpected ERROR line, removes
 * the system users its worker created (when running as root), and drops the schema / the worker's
 * queue on shared servers.
 *
 * <p>Isolation: as root on a host that can sandbox ({@link SandboxHost#available()}: bwrap, ip,
 * iptables, setpriv) the worker runs mode {@code sandbox}, its default as root: an own user,
 * network namespace and bubblewrap sandbox per instance, with the egress policy. Each node gets its
 * own egress chain and network pool (so two worker nodes in one test never share a worker address),
 * and {@link #close} removes its namespaces, rules and worker address and puts the host's
 * forwarding state back. Anything an instance contacts must listen on {@link
 * #instanceFacingAddress()} and be {@link #reachableByInstances allowed}. Otherwise (not root) mode
 * {@code none}, shared by the test's tenants.
 */
final class E2eNode implements AutoCloseable {
  static final Path CONFIG = Path.of("..", "config.yml").toAbsolutePath().normalize();
  static final String BOT_TOKEN = "424242:e2e-bot-token";
  static final String ADMIN_TOKEN = "e2e-admin";
  static final String WEBHOOK_SECRET = "e2e-webhook-secret";

  /** Instance users made by the node's worker are named so, apart from a real worker's. */
  static final String USER_PREFIX = "clawe2e-";

  /** Gateway ports of e2e nodes, apart from the worker tests' stand-in ranges (42000-44980). */
  static final int FIRST_GATEWAY_PORT = 46_000;

  static final int LAST_GATEWAY_PORT = 47_980;

  /** Whether worker nodes run the sandbox (as root on a host that can), see the class comment. */
  static final boolean SANDBOX_HOST = SandboxHost.available();

  /**
   * Node {@code n}'s egress chain is {@value}n, apart from a real worker's (CLAWHIVE-EGRESS) and
   * the other tests' chains.
   */
  static final String CHAIN_PREFIX = "CLAWE2E-";

  /**
   * Node {@code n}'s network pool (127 slots, more than the 100 of the gateway port range), apart
   * from a real worker's (10.231.0.0/16), NodeTest's (10.238.0.0/16) and the worker tests'
   * (10.239.0.0/24).
   */
  private static final String POOL_FORMAT = "10.237.%d.0/24";

  private static final AtomicInteger NODES = new AtomicInteger();

  /**
   * Sandboxed nodes alive in this JVM; the first saves the host's forwarding, the last restores.
   */
  private static int sandboxedNodes;

  private static Runnable restoreForwarding;

  final String nodeId = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
  final Path dataDir;
  final Path instancesDir;
  final Path log;
  private final int brokerPort = freePort();
  private final Map<String, String> overrides = new LinkedHashMap<>();
  private final Set<String> allowedErrors = new LinkedHashSet<>();
  private final List<String> allowances = new ArrayList<>();
  private final int number = NODES.getAndIncrement() % 256;
  private final boolean sandboxed;
  private boolean onHost;
  private DropwizardTestSupport<ClawhiveConfiguration> support;
  private Storage storage;
  private org.apache.tomcat.jdbc.pool.DataSource storagePool;
  private String schema;

  /**
   * A node under {@code dir} running {@code roles}. The instances directory is a sibling of the
   * data directory: the node keeps its data directory owner-only (0700), which per-instance users
   * could not pass; the instances root is made passable (0711) as a worker host's would be.
   */
  E2eNode(Path dir, String roles) {
    this.dataDir = dir.resolve("data");
    this.instancesDir = dir.resolve("instances");
    this.log = dir.resolve("node.log");
    this.sandboxed = SANDBOX_HOST && List.of(roles.split(",")).contains("worker");
    try {
      Files.createDirectories(instancesDir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
      Files.setPosixFilePermissions(instancesDir, PosixFilePermissions.fromString("rwx--x--x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    set("dataDir", dataDir.toString());
    set("nodeId", nodeId);
    set("roles", roles);
    set("broker.uri", env("CLAWHIVE_TEST_AMQP_URI", ""));
    set("broker.embeddedPort", Integer.toString(brokerPort));
    set("broker.maxAttempts", "3");
    set("broker.retryBackoff", "100ms");
    set("broker.maxRetryBackoff", "400ms");
    set("api.adminToken", ADMIN_TOKEN);
    set("api.httpReplyTimeout", "30s");
    set("api.access.rateLimitBurst", "20");
    set("api.telegram.botToken", "");
    set("api.telegram.pollTimeout", "1s");
    set("api.telegram.webhookUrl", "https://bot.example.test/telegram/webhook");
    set("api.telegram.webhookSecret", WEBHOOK_SECRET);
    set("worker.instancesDir", instancesDir.toString());
    set("worker.instanceUserPrefix", USER_PREFIX);
    set("worker.ports.first", Integer.toString(FIRST_GATEWAY_PORT));
    set("worker.ports.last", Integer.toString(LAST_GATEWAY_PORT));
    set("worker.supervision.readinessPeriod", "200ms");
    if (sandboxed) {
      set("worker.isolation.mode", "sandbox");
      set("worker.isolation.chain", chain());
      set("worker.isolation.networkPool", pool());
      // the stand-in gateway runs this JVM's java on the worker's test classes
      set("worker.isolation.extraReadOnlyPaths", String.join(",", sandboxReadOnlyPaths()));
    } else {
      set("worker.isolation.mode", "none");
      set("worker.isolation.allowSharedNone", "true");
    }
    set("worker.housekeepingInterval", "1s");
    // stand-ins need little memory: a small host must not refuse them the 1.5 GiB of openclaw's
    set("worker.memoryPerGateway", "64MiB");
    set("worker.modelProxy.port", "0");
    set("server.applicationConnectors[0].port", "0");
    set("server.adminConnectors[0].port", "0");
    set("logging.appenders[0].type", "file");
    set("logging.appenders[0].currentLogFilename", log.toString());
    set("logging.appenders[0].archive", "false");
  }

  /** Stand-in gateways (a real child process each) instead of openclaw. */
  E2eNode standIns(List<String> program, int poolSize) {
    for (String word : program) {
      if (word.isEmpty() || word.chars().anyMatch(Character::isWhitespace)) {
        throw new IllegalArgumentException("cannot pass as a gatewayCommand string: " + word);
      }
    }
    set("worker.gatewayCommand", String.join(" ", program));
    return set("worker.pool.size", Integer.toString(poolSize));
  }

  /** Telegram ingress against the fake Bot API, in {@code polling} or {@code webhook} mode. */
  E2eNode telegram(String apiUrl, String mode) {
    set("api.telegram.botToken", BOT_TOKEN);
    set("api.telegram.apiUrl", apiUrl);
    return set("api.telegram.mode", mode);
  }

  /**
   * The address the node's instances reach the host on: the worker address of the node's pool when
   * sandboxed (put on lo now, so that a fake server can bind it before the node starts), else
   * loopback. A fake server instances contact (a ClawHub registry) listens here.
   */
  InetAddress instanceFacingAddress() {
    if (!sandboxed) {
      return InetAddress.getLoopbackAddress();
    }
    InetAddress worker = workerAddress();
    enterHost();
    run(List.of("ip", "addr", "replace", worker.getHostAddress() + "/32", "dev", "lo"));
    return worker;
  }

  /**
   * Where the worker reaches {@code instance}'s gateway: its namespace's address when sandboxed
   * (the odd address of its port's slot in the node's pool, see AddressPool), else loopback.
   */
  String gatewayHost(Instance instance) {
    if (!sandboxed) {
      return InetAddress.getLoopbackAddress().getHostAddress();
    }
    int slot =
        support.getConfiguration().getWorker().getPorts().allocator().slotOf(instance.port());
    return "10.237." + number + "." + (2 * (slot + 1) + 1);
  }

  /**
   * Instances may reach {@code port} on {@link #instanceFacingAddress()} (a loopback allowance,
   * which namespaces reach on the worker address); nothing to do in mode none.
   */
  E2eNode reachableByInstances(int port) {
    allowances.add("127.0.0.1:" + port);
    return set("worker.isolation.allowed", String.join(",", allowances));
  }

  E2eNode set(String key, String value) {
    overrides.put(key, value);
    return this;
  }

  /** An ERROR line containing {@code fragment} is expected (a person would have to act). */
  E2eNode allowError(String fragment) {
    allowedErrors.add(fragment);
    return this;
  }

  E2eNode start() throws Exception {
    long started = System.nanoTime();
    enterHost();
    set("storage.url", databaseUrl());
    if (!env("CLAWHIVE_TEST_DB_URL", "").isEmpty()) {
      set("storage.user", env("CLAWHIVE_TEST_DB_USER", "postgres"));
    }
    support =
        new DropwizardTestSupport<>(
            ClawhiveApplication.class,
            CONFIG.toString(),
            overrides.entrySet().stream()
                .map(e -> ConfigOverride.config(e.getKey(), e.getValue()))
                .toArray(ConfigOverride[]::new));
    try {
      support.before();
    } catch (Exception | Error e) {
      support = null;
      try {
        removeSandboxes(); // the caller never gets this node to close
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    storage = openStorage();
    System.out.printf(
        "%s started in %d ms, isolation %s%n",
        nodeId, (System.nanoTime() - started) / 1_000_000, sandboxed ? "sandbox" : "none");
    return this;
  }

  Storage storage() {
    return storage;
  }

  /** The running node's Dropwizard environment (its admin context holds the admin API). */
  io.dropwizard.core.setup.Environment environment() {
    return support.getEnvironment();
  }

  int appPort() {
    return support.getLocalPort();
  }

  int adminPort() {
    return support.getAdminPort();
  }

  String appUrl(String path) {
    return "http://127.0.0.1:" + appPort() + path;
  }

  /** The admin port serves the admin API ({@code /api/v1}) and Dropwizard's admin pages. */
  String adminUrl(String path) {
    return "http://127.0.0.1:" + adminPort() + path;
  }

  List<Instance> instances() {
    return storage.dao(InstanceDao.class).listAll();
  }

  /** The node's AMQP URI: the shared RabbitMQ, or its embedded broker with its password. */
  String amqpUri() {
    String external = env("CLAWHIVE_TEST_AMQP_URI", "");
    if (!external.isEmpty()) {
      return external;
    }
    String password =
        EmbeddedBroker.loadOrCreatePassword(dataDir.resolve("broker").resolve("password"));
    return "amqp://"
        + EmbeddedBroker.DEFAULT_USERNAME
        + ":"
        + password
        + "@127.0.0.1:"
        + brokerPort
        + "/"
        + EmbeddedBroker.VIRTUAL_HOST;
  }

  /** On a shared RabbitMQ, earlier runs may have left dead letters behind. */
  void purgeSharedDeadLetters() throws Exception {
    if (!env("CLAWHIVE_TEST_AMQP_URI", "").isEmpty()) {
      try (var connection = AmqpConnections.open(amqpUri(), "e2e-purge");
          var channel = connection.createChannel()) {
        channel.queuePurge(new BrokerTopology().deadLetterQueue());
      }
    }
  }

  @Override
  public void close() throws Exception {
    long closing = System.nanoTime();
    try {
      if (support != null) {
        support.after();
        support = null;
        // after the stop: a pool refill may have made one more instance until then
        instances().stream()
            .map(Instance::systemUsername)
            .filter(u -> u != null && u.startsWith(USER_PREFIX))
            .forEach(E2eNode::deleteUser);
      }
    } finally {
      try {
        removeSandboxes();
      } finally {
        deleteSharedQueue();
        dropSchema();
      }
    }
    System.out.printf("%s closed in %d ms%n", nodeId, (System.nanoTime() - closing) / 1_000_000);
    assertLogClean();
  }

  /**
   * Removes the node's namespaces, egress rules and worker address (the worker leaves them in place
   * when it stops, for its next start) and puts ip_forward and the FORWARD policy back.
   */
  private void removeSandboxes() {
    if (!onHost) {
      return;
    }
    try {
      IsolationConfig config = new IsolationConfig();
      config.setMode("user"); // the same chains and pool, without probing bubblewrap again
      config.setChain(chain());
      config.setNetworkPool(pool());
      Isolation.forMode(config, 1).uninstall();
    } finally {
      onHost = false;
      leaveHost();
    }
  }

  /** Before this node changes the host: the first sandboxed node saves its forwarding state. */
  private synchronized void enterHost() {
    if (sandboxed && !onHost) {
      onHost = true;
      synchronized (E2eNode.class) {
        if (sandboxedNodes++ == 0) {
          restoreForwarding = SandboxHost.forwardingRestorer();
        }
      }
    }
  }

  private static synchronized void leaveHost() {
    if (--sandboxedNodes == 0) {
      restoreForwarding.run();
      restoreForwarding = null;
    }
  }

  private String chain() {
    return CHAIN_PREFIX + number;
  }

  private String pool() {
    return POOL_FORMAT.formatted(number);
  }

  /** The pool's second address, which the worker puts on lo (see AddressPool). */
  private InetAddress workerAddress() {
    try {
      return InetAddress.getByAddress(new byte[] {10, (byte) 237, (byte) number, 1});
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a sandbox needs beyond /usr to run the stand-in (as SandboxHost's test config). */
  private static List<String> sandboxReadOnlyPaths() {
    List<String> paths = new ArrayList<>();
    paths.add(SandboxHost.testClasses().toString());
    Path javaHome = Path.of(System.getProperty("java.home")).toAbsolutePath();
    if (!javaHome.startsWith("/usr")) {
      paths.add(javaHome.toString());
    }
    if (Files.isDirectory(Path.of("/etc/java-17-openjdk"))) {
      paths.add("/etc/java-17-openjdk"); // the JDK's conf/ links there
    }
    return paths;
  }

  private static void run(List<String> command) {
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("failed: " + String.join(" ", command));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The node log has no ERROR line, except those {@link #allowError allowed}. */
  void assertLogClean() throws IOException {
    if (!Files.exists(log)) {
      return;
    }
    List<String> lines = Files.readAllLines(log);
    Predicate<String> unexpectedError =
        line -> line.startsWith("ERROR") && allowedErrors.stream().noneMatch(line::contains);
    lines.stream()
        .filter(line -> line.startsWith("WARN") || line.startsWith("ERROR"))
        .limit(30)
        .forEach(line -> System.out.println(nodeId + " node.log: " + line));
    assertThat(lines).as("node log %s", log).isNotEmpty().noneMatch(unexpectedError);
  }

  private static void deleteUser(String name) {
    if (!SystemUsers.runningAsRoot()) {
      return;
    }
    try {
      Process userdel =
          new ProcessBuilder("userdel", name)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!userdel.waitFor(30, TimeUnit.SECONDS)) {
        userdel.destroyForcibly();
      }
    } catch (IOException e) {
      System.out.println("userdel " + name + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void deleteSharedQueue() throws Exception {
    deleteSharedQueueOf(nodeId);
  }

  /** On a shared RabbitMQ, removes the durable task queue of worker {@code workerNode}. */
  void deleteSharedQueueOf(String workerNode) throws Exception {
    if (!env("CLAWHIVE_TEST_AMQP_URI", "").isEmpty()) {
      try (var connection = AmqpConnections.open(amqpUri(), "e2e-clean");
          var channel = connection.createChannel()) {
        channel.queueDelete(new BrokerTopology().workerQueue(workerNode));
      }
    }
  }

  /** On a shared PostgreSQL: a fresh schema per node, dropped afterwards. */
  private String databaseUrl() throws Exception {
    String pg = env("CLAWHIVE_TEST_DB_URL", "");
    if (pg.isEmpty()) {
      return "";
    }
    schema = "e2e_" + Long.toHexString(System.nanoTime());
    try (var connection = adminDataSource().getConnection();
        var statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    return pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  private void dropSchema() throws Exception {
    if (storagePool != null) {
      storagePool.close(true);
      storagePool = null;
    }
    if (schema != null) {
      try (var connection = adminDataSource().getConnection();
          var statement = connection.createStatement()) {
        statement.execute("DROP SCHEMA " + schema + " CASCADE");
      }
      schema = null;
    }
  }

  private static PGSimpleDataSource adminDataSource() {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(env("CLAWHIVE_TEST_DB_URL", ""));
    dataSource.setUser(env("CLAWHIVE_TEST_DB_USER", "postgres"));
    return dataSource;
  }

  /** The node's own database; for H2 the same JVM and URL, so H2 shares the open file. */
  private Storage openStorage() {
    if (schema != null) {
      PGSimpleDataSource dataSource = adminDataSource();
      dataSource.setCurrentSchema(schema);
      // pooled, as the node's own storage is: a new PostgreSQL connection per DAO call costs
      // milliseconds each, which a load test's worker in this JVM would measure instead of itself
      storagePool = new org.apache.tomcat.jdbc.pool.DataSource();
      storagePool.setDataSource(dataSource);
      storagePool.setMaxActive(32);
      storagePool.setMaxIdle(32);
      storagePool.setInitialSize(0);
      storagePool.setDefaultAutoCommit(true);
      return Storage.create(storagePool);
    }
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL(support.getConfiguration().getStorage().effectiveUrl(dataDir));
    dataSource.setUser("clawhive");
    dataSource.setPassword("");
    return Storage.create(dataSource);
  }

  static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
