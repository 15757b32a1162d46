package io.clawhive.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.clawhive.core.broker.AmqpConnections;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.broker.DeadLetters;
import io.clawhive.core.broker.EmbeddedBroker;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.core.task.CreateInstance;
import io.clawhive.core.task.ReplyTo;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.worker.instance.PortAllocator;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.sandbox.IsolationConfig;
import io.clawhive.worker.sandbox.SandboxHost;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.standin.StandIn.ExecResult;
import io.dropwizard.testing.DropwizardTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole node on its embedded defaults (H2 file, embedded broker), on free ports. */
class NodeTest {
  private static final String ADMIN_TOKEN = "test-admin-token";
  private static final String NODE_ID = "test-node";
  private static final String TEST_CHAIN = "CLAWTEST-NODE";

  /** Its own namespace pool, large enough for the default port range (500 slots). */
  private static final String NODE_TEST_POOL = "10.238.0.0/16";

  private static final String TENANT_PREFIX = "clawnt-";

  @TempDir Path dataDir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final int brokerPort = TestNode.freePort();
  private DropwizardTestSupport<ClawhiveConfiguration> node;

  @AfterEach
  void stopNode() {
    if (node != null) {
      node.after();
    }
  }

  @Test
  void allRolesStartHealthyServeTheAdminApiAndLogNoError() throws Exception {
    Path log = dataDir.resolve("node.log");
    node = start("api,worker,scheduler", log);

    HttpResponse<String> health = get(adminUrl("/healthcheck"), null);
    Map<String, Map<String, Object>> checks =
        json.readValue(health.body(), new TypeReference<>() {});
    assertThat(checks)
        .containsKeys("storage", "broker", "worker", "isolation", "scheduler", "deadlocks");
    assertThat(checks.values()).allSatisfy(c -> assertThat(c.get("healthy")).isEqualTo(true));
    assertThat(health.statusCode()).isEqualTo(200);

    HttpResponse<String> prometheus = get(adminUrl("/prometheus"), null);
    assertThat(prometheus.statusCode()).isEqualTo(200);
    assertThat(prometheus.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
    assertThat(prometheus.body())
        .contains("# TYPE io_dropwizard_db_ManagedPooledDataSource_storage_active gauge")
        .containsPattern("(?m)^\\w*_storage_active [0-9]");

    // the admin API answers on the admin port only
    assertThat(get(appUrl("/api/v1/workers"), ADMIN_TOKEN).statusCode()).isEqualTo(404);
    HttpResponse<String> workers = get(adminUrl("/api/v1/workers"), ADMIN_TOKEN);
    assertThat(workers.statusCode()).isEqualTo(200);
    List<Map<String, Object>> rows = json.readValue(workers.body(), new TypeReference<>() {});
    assertThat(rows)
        .singleElement()
        .satisfies(
            w -> {
              assertThat(w.get("nodeId")).isEqualTo(NODE_ID);
              assertThat(w.get("alive")).isEqualTo(true);
            });
    assertThat(get(adminUrl("/api/v1/workers"), "wrong").statusCode()).isEqualTo(401);
    assertThat(get(adminUrl("/api/v1/workers"), null).statusCode()).isEqualTo(401);

    node.after();
    node = null;
    assertThat(Files.readAllLines(log))
        .as("node log")
        .isNotEmpty()
        .noneMatch(line -> line.startsWith("ERROR"));
  }

  @Test
  void aTaskThatCanNeverSucceedGoesToTheDeadLetterQueue() throws Exception {
    // a Telegram reply is wanted but this node has no bot token: permanent, dead-lettered at once
    node = start("worker", dataDir.resolve("node.log"));
    try (Connection connection = connectToEmbeddedBroker()) {
      BrokerTopology topology = new BrokerTopology();
      var metrics = new MetricRegistry();
      try (TaskPublisher publisher =
          new TaskPublisher(connection, topology, new TaskCodec(), metrics)) {
        publisher.publish(
            NODE_ID, RouteMessage.of(42L, 42L, 7L, "hello", ReplyTo.telegram(null), Instant.now()));
      }
      DeadLetters deadLetters = new DeadLetters(connection, topology, new TaskCodec(), metrics);
      await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters.count() == 1);
      assertThat(deadLetters.peek(1))
          .singleElement()
          .satisfies(
              d -> {
                assertThat(d.taskType()).isEqualTo(RouteMessage.TYPE);
                assertThat(d.reason()).contains("no bot token");
              });
    }
  }

  @Test
  void aRestartKeepsDatabaseRowsAndDurableTasks() throws Exception {
    node = start("api,scheduler", dataDir.resolve("node.log"));
    String absentWorker = "absent-worker";
    try (Connection connection = connectToEmbeddedBroker()) {
      BrokerTopology topology = new BrokerTopology();
      try (Channel channel = connection.createChannel()) {
        topology.declareWorkerQueue(channel, absentWorker);
      }
      try (TaskPublisher publisher =
          new TaskPublisher(connection, topology, new TaskCodec(), new MetricRegistry())) {
        publisher.publish(absentWorker, CreateInstance.forTenant(7L, Instant.now()));
      }
    }
    Instant now = Instant.now();
    storage()
        .dao(TenantDao.class)
        .insert(new Tenant(7L, 7L, "ada", "session-1", TenantStatus.ACTIVE, now, now));

    node.after();
    node = start("api,scheduler", dataDir.resolve("node-2.log"));

    assertThat(storage().dao(TenantDao.class).findById(7L))
        .hasValueSatisfying(t -> assertThat(t.username()).isEqualTo("ada"));
    try (Connection connection = connectToEmbeddedBroker();
        Channel channel = connection.createChannel()) {
      String queue = new BrokerTopology().workerQueue(absentWorker);
      assertThat(channel.queueDeclarePassive(queue).getMessageCount()).isEqualTo(1);
      var message = channel.basicGet(queue, true);
      assertThat(new TaskCodec().decode(message.getBody())).isInstanceOf(CreateInstance.class);
    }
  }

  @Test
  void inUserModeATenantPassesThroughTheDataDirButCannotReadDatabaseOrBrokerPassword()
      throws Exception {
    SandboxHost.assumeSandboxHost();
    assumeReadableByTenants(SandboxHost.testClasses());
    IsolationConfig isolation = new IsolationConfig();
    isolation.setMode("user");
    isolation.setChain(TEST_CHAIN);
    isolation.setNetworkPool(NODE_TEST_POOL);
    List<String> tenantUsers = new ArrayList<>();
    Runnable restoreForwarding = SandboxHost.forwardingRestorer();
    try {
      node =
          start(
              "worker",
              dataDir.resolve("node.log"),
              Map.of(
                  "worker.isolation.mode",
                  "user",
                  "worker.isolation.chain",
                  TEST_CHAIN,
                  "worker.isolation.networkPool",
                  NODE_TEST_POOL,
                  "worker.instanceUserPrefix",
                  TENANT_PREFIX,
                  "worker.pool.size",
                  "1",
                  "worker.gatewayCommand",
                  String.join(" ", StandIn.program())));
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  storage().dao(InstanceDao.class).listAll().stream()
                      .anyMatch(i -> i.actualState() == InstanceState.RUNNING));
      Instance pooled = storage().dao(InstanceDao.class).listAll().get(0);
      tenantUsers.add(pooled.systemUsername());
      assertThat(pooled.systemUsername()).startsWith(TENANT_PREFIX);

      Path db = dataDir.resolve("db");
      Path password = dataDir.resolve("broker").resolve("password");
      assertThat(Files.getPosixFilePermissions(dataDir)).isEqualTo(perms("rwx--x--x"));
      assertThat(Files.getPosixFilePermissions(dataDir.resolve("instances")))
          .isEqualTo(perms("rwx--x--x"));
      assertThat(Files.getPosixFilePermissions(db)).isEqualTo(perms("rwx------"));
      assertThat(Files.getPosixFilePermissions(password.getParent())).isEqualTo(perms("rwx------"));
      assertThat(Files.getPosixFilePermissions(password)).isEqualTo(perms("rw-------"));
      assertThat(Files.getPosixFilePermissions(db.resolve("clawhive.mv.db")))
          .isEqualTo(perms("rw-------"));

      ExecResult own =
          tenant(pooled, "id -un; cat \"$OPENCLAW_CONFIG_PATH\" > /dev/null && echo OWN");
      assertThat(own.output())
          .as("the gateway runs as its user and reaches its own files through the data dir")
          .isEqualTo(pooled.systemUsername() + "\nOWN\n");
      for (Path secret : List.of(db.resolve("clawhive.mv.db"), password, db, dataDir)) {
        ExecResult read = tenant(pooled, "cat '" + secret + "' || ls '" + secret + "'");
        assertThat(read.exit()).as("tenant reading %s", secret).isNotZero();
        assertThat(read.output()).as("tenant reading %s", secret).contains("Permission denied");
      }
    } finally {
      if (node != null) {
        node.after();
        node = null;
      }
      SystemUsers users = new SystemUsers(TENANT_PREFIX);
      tenantUsers.stream()
          .filter(Objects::nonNull)
          .forEach(name -> users.find(name).ifPresent(users::delete));
      Isolation.forMode(isolation, 1).uninstall();
      restoreForwarding.run();
    }
  }

  @Test
  void aDataDirUnderADirectoryTenantsCannotPassIsRefusedAtStartNamingIt() throws Exception {
    SandboxHost.assumeSandboxHost();
    Path locked = Files.createDirectories(dataDir.resolve("root-home"));
    Files.setPosixFilePermissions(locked, perms("rwx------"));
    Path lockedData = Files.createDirectories(locked.resolve("clawhive").resolve("data"));
    Map<String, String> values = new LinkedHashMap<>();
    values.put("api.adminToken", ADMIN_TOKEN);
    values.put("worker.pool.size", "0");
    values.put("worker.gatewayCommand", String.join(" ", StandIn.program()));
    values.put("worker.isolation.mode", "sandbox");
    values.put("worker.isolation.chain", TEST_CHAIN);

    assertThatThrownBy(
            () ->
                TestNode.start(
                    lockedData, NODE_ID, "worker", brokerPort, dataDir.resolve("node.log"), values))
        .hasStackTraceContaining("cannot pass " + locked + " (mode rwx------)")
        .hasStackTraceContaining("chmod o+x " + locked);
    assertThat(lockedData.resolve("instances"))
        .as("refused before any instance or firewall rule exists")
        .doesNotExist();
  }

  /** The gateway listens in its own network namespace: slot (port - 20000) / 20 of the pool. */
  private static ExecResult tenant(Instance instance, String command) throws Exception {
    int slot = (instance.port() - PortAllocator.DEFAULT_FIRST_PORT) / PortAllocator.DEFAULT_STRIDE;
    int inside = 2 * (slot + 1) + 1;
    String host = "10.238." + (inside / 256) + "." + (inside % 256);
    return StandIn.exec(host, instance.port(), instance.authToken(), command);
  }

  private static Set<PosixFilePermission> perms(String text) {
    return PosixFilePermissions.fromString(text);
  }

  /** The stand-in runs as a tenant user here: its classes must be reachable by others. */
  private static void assumeReadableByTenants(Path classes) throws Exception {
    for (Path p = classes; p != null; p = p.getParent()) {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p);
      assumeTrue(
          mode.contains(PosixFilePermission.OTHERS_EXECUTE)
              || (!Files.isDirectory(p) && mode.contains(PosixFilePermission.OTHERS_READ)),
          p
              + " is not reachable by tenant users: skipping (run the reactor build from a readable"
              + " checkout)");
    }
  }

  private DropwizardTestSupport<ClawhiveConfiguration> start(String roles, Path log)
      throws Exception {
    return start(roles, log, Map.of());
  }

  /** The node with this test's defaults, {@code overrides} replacing or adding config values. */
  private DropwizardTestSupport<ClawhiveConfiguration> start(
      String roles, Path log, Map<String, String> overrides) throws Exception {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("api.adminToken", ADMIN_TOKEN);
    // no OpenClaw runtime in these tests: no pool gateways, and a program instead of it
    values.put("worker.pool.size", "0");
    values.put("worker.gatewayCommand", "/bin/false");
    // these tests run as root in CI: no real users, sandboxes or iptables rules unless asked
    values.put("worker.isolation.mode", "none");
    values.put("worker.isolation.allowSharedNone", "true");
    values.putAll(overrides);
    return TestNode.start(dataDir, NODE_ID, roles, brokerPort, log, values);
  }

  /** The node's own H2 file; same JVM and URL, so H2 shares the open database. */
  private Storage storage() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL(node.getConfiguration().getStorage().effectiveUrl(dataDir));
    dataSource.setUser("clawhive");
    dataSource.setPassword("");
    return Storage.create(dataSource);
  }

  private Connection connectToEmbeddedBroker() {
    Path passwordFile = dataDir.resolve("broker").resolve("password");
    String password = EmbeddedBroker.loadOrCreatePassword(passwordFile);
    String uri =
        "amqp://"
            + EmbeddedBroker.DEFAULT_USERNAME
            + ":"
            + password
            + "@127.0.0.1:"
            + brokerPort
            + "/"
            + EmbeddedBroker.VIRTUAL_HOST;
    return AmqpConnections.open(uri, "node-test");
  }

  private String appUrl(String path) {
    return "http://127.0.0.1:" + node.getLocalPort() + path;
  }

  private String adminUrl(String path) {
    return "http://127.0.0.1:" + node.getAdminPort() + path;
  }

  private HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
