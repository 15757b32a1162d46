package io.clawhive.app.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clawhive.core.broker.AmqpConnections;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.TenantMove;
import io.clawhive.core.storage.TenantMoveDao;
import io.clawhive.core.storage.WorkerDao;
import io.clawhive.core.storage.WorkerNode;
import io.clawhive.core.storage.WorkerStatus;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.worker.routing.MovedTenants;
import io.clawhive.worker.standin.StandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The failover figure with three real JVMs on PostgreSQL and RabbitMQ: an api+scheduler
 * node and two workers running stand-in gateways (one child process per instance). Messages of
 * {@value #DEFAULT_TENANTS} tenants spread over both workers and are answered; one worker is
 * frozen, its tenants write (their messages queue for it), it is killed with SIGKILL and its
 * tenants write again; the other worker answers every one of them, in order, each told once that
 * their assistant moved. The killed worker, restarted with the same id, starts none of the moved
 * instances, and nothing is answered twice.
 *
 * <p>Needs CLAWHIVE_TEST_DB_URL and CLAWHIVE_TEST_AMQP_URI (three JVMs share one database and one
 * broker; the embedded H2 and broker live inside one node), skipped otherwise.
 */
@Tag("infra")
class FailoverEndToEndTest {
  static final int DEFAULT_TENANTS = 100;
  private static final int TENANTS =
      Integer.getInteger("clawhive.failover.tenants", DEFAULT_TENANTS);
  private static final int BATCH = 10;
  private static final long FIRST_TENANT = 810_000;
  private static final String BOT_TOKEN = "818181:failover-bot-token";
  private static final Duration DEAD_AFTER = Duration.ofSeconds(15);
  private static final Duration ANSWERED_WITHIN = Duration.ofSeconds(180);
  private static final int POOL = 1;

  @TempDir Path dir;
  private final String run = UUID.randomUUID().toString().substring(0, 6);
  private final List<ChildNode> nodes = new ArrayList<>();
  private final AtomicLong updateIds = new AtomicLong(1);
  private FakeTelegramBotApi telegram;
  private String schema;
  private Storage storage;

  @AfterEach
  void stopAll() throws Exception {
    for (ChildNode node : nodes) {
      node.close();
    }
    if (telegram != null) {
      telegram.close();
    }
    if (schema != null) {
      try (var connection = AmqpConnections.open(env("CLAWHIVE_TEST_AMQP_URI"), "failover-clean");
          var channel = connection.createChannel()) {
        for (ChildNode node : nodes) {
          channel.queueDelete(new BrokerTopology().workerQueue(node.nodeId));
        }
      }
      try (var connection = admin().getConnection();
          var statement = connection.createStatement()) {
        statement.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  @Test
  void aKilledWorkersTenantsAreAnsweredByTheOtherOnceInOrderAndNothingComesBack() throws Exception {
    assumeTrue(
        !env("CLAWHIVE_TEST_DB_URL").isEmpty() && !env("CLAWHIVE_TEST_AMQP_URI").isEmpty(),
        "three JVMs need a shared PostgreSQL and RabbitMQ (CLAWHIVE_TEST_DB_URL/AMQP_URI)");
    String dbUrl = createSchema();
    telegram = new FakeTelegramBotApi(BOT_TOKEN);
    ChildNode api = node("fo-api-" + run, dbUrl).set("roles", "api,scheduler");
    api.set("scheduler.workerDeadAfter", DEAD_AFTER.toSeconds() + "s");
    api.set("scheduler.failoverCheckInterval", "1s");
    api.set("scheduler.clusterCheckinInterval", "2s");
    api.launch().awaitHealthy();
    ChildNode first = worker("fo-w1-" + run, dbUrl, 52_000);
    ChildNode second = worker("fo-w2-" + run, dbUrl, 55_000);
    first.launch();
    second.launch();
    first.awaitHealthy();
    second.awaitHealthy();

    List<Long> tenants = LongStream.range(FIRST_TENANT, FIRST_TENANT + TENANTS).boxed().toList();
    for (int from = 0; from < tenants.size(); from += BATCH) {
      List<Long> batch = tenants.subList(from, Math.min(tenants.size(), from + BATCH));
      batch.forEach(t -> say(t, "hello"));
      batch.forEach(t -> awaitTexts(t, List.of("echo: hello (turn 1)")));
    }
    Map<String, List<Long>> byWorker = tenantsByWorker(tenants);
    System.out.printf(
        "failover: %d tenants answered, per worker %s%n",
        TENANTS,
        byWorker.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size())));
    assertThat(byWorker.get(first.nodeId)).as("tenants on %s", first.nodeId).isNotEmpty();
    assertThat(byWorker.get(second.nodeId)).as("tenants on %s", second.nodeId).isNotEmpty();
    List<Long> moved = byWorker.get(first.nodeId);
    List<Long> stayed = byWorker.get(second.nodeId);

    // frozen: its tenants' messages queue for it (and those it had fetched stay unacked)
    first.suspend();
    moved.forEach(t -> say(t, "before"));
    awaitQueued(moved.size());
    long killedAt = System.nanoTime();
    first.kill();
    moved.forEach(t -> say(t, "after"));
    stayed.forEach(t -> say(t, "meanwhile"));

    List<String> movedTexts =
        List.of(
            "echo: hello (turn 1)",
            MovedTenants.MOVED_NOTICE,
            "echo: before (turn 1)",
            "echo: after (turn 2)");
    await()
        .atMost(ANSWERED_WITHIN)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> moved.stream().allMatch(t -> telegram.sentTo(t).size() >= movedTexts.size()));
    long lastAnswerMillis = (System.nanoTime() - killedAt) / 1_000_000;
    System.out.printf(
        "failover: all %d tenants of the killed worker answered by the other within %d ms of the"
            + " kill (dead after %s without heartbeat; bound asserted %s)%n",
        moved.size(), lastAnswerMillis, DEAD_AFTER, ANSWERED_WITHIN);
    moved.forEach(t -> awaitTexts(t, movedTexts));
    stayed.forEach(t -> awaitTexts(t, List.of("echo: hello (turn 1)", "echo: meanwhile (turn 2)")));
    for (long tenant : moved) {
      assertThat(storage.dao(InstanceDao.class).findByTenant(tenant))
          .as("tenant %d's instance", tenant)
          .get()
          .extracting(Instance::workerNode)
          .isEqualTo(second.nodeId);
    }
    List<TenantMove> moves = storage.dao(TenantMoveDao.class).listAll();
    assertThat(moves).extracting(TenantMove::tenantId).containsExactlyInAnyOrderElementsOf(moved);
    assertThat(moves)
        .allSatisfy(
            m -> {
              assertThat(m.toWorker()).isEqualTo(second.nodeId);
              assertThat(m.settledAt()).isNotNull();
              assertThat(m.notifiedAt()).isNotNull();
            });

    // the same worker id again: it starts nothing of what moved
    ChildNode again = worker(first.nodeId, dbUrl, 52_000);
    again.launch().awaitHealthy();
    WorkerNode row = storage.dao(WorkerDao.class).findById(first.nodeId).orElseThrow();
    assertThat(row.status()).isEqualTo(WorkerStatus.UP);
    List<Instance> left = storage.dao(InstanceDao.class).listByWorker(first.nodeId);
    assertThat(left)
        .as("instances still on the restarted worker")
        .allSatisfy(
            i ->
                assertThat(i.tenantId() == null || !moved.contains(i.tenantId()))
                    .as("instance %s of tenant %s", i.id(), i.tenantId())
                    .isTrue());
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(30))
        .until(() -> again.gatewayProcesses() == meantToRun(first.nodeId));
    System.out.printf(
        "failover: restarted %s runs %d gateway(s) (its pool), %d moved instance(s) stay stopped%n",
        first.nodeId,
        meantToRun(first.nodeId),
        left.stream().filter(i -> i.desiredState() == InstanceState.DELETED).count());
    List<Long> back = moved.subList(0, Math.min(5, moved.size()));
    back.forEach(t -> say(t, "back"));
    List<String> backTexts = new ArrayList<>(movedTexts);
    backTexts.add("echo: back (turn 3)");
    back.forEach(t -> awaitTexts(t, backTexts));

    // nothing answered twice, nothing extra: settle, then compare every chat exactly
    Thread.sleep(2_000);
    for (long tenant : tenants) {
      List<String> expected =
          back.contains(tenant)
              ? backTexts
              : moved.contains(tenant)
                  ? movedTexts
                  : List.of("echo: hello (turn 1)", "echo: meanwhile (turn 2)");
      assertThat(texts(tenant)).as("everything sent to tenant %d", tenant).isEqualTo(expected);
    }
  }

  // ---- nodes ----

  private ChildNode node(String nodeId, String dbUrl) {
    Path home = dir.resolve(nodeId); // the same for a node started again
    ChildNode node =
        new ChildNode(nodeId, home)
            .set("dataDir", home.resolve("data").toString())
            .set("storage.url", dbUrl)
            .set("storage.user", env("CLAWHIVE_TEST_DB_USER", "postgres"))
            .set("broker.uri", env("CLAWHIVE_TEST_AMQP_URI"))
            .set("broker.retryBackoff", "200ms")
            .set("broker.maxRetryBackoff", "2s")
            .set("api.telegram.botToken", BOT_TOKEN)
            .set("api.telegram.apiUrl", telegram.baseUrl())
            .set("api.telegram.mode", "polling")
            .set("api.telegram.pollTimeout", "1s")
            .set("api.access.rateLimitBurst", "20")
            .set("logging.level", "INFO");
    nodes.add(node);
    return node;
  }

  private ChildNode worker(String nodeId, String dbUrl, int firstPort) throws Exception {
    ChildNode node = node(nodeId, dbUrl).set("roles", "worker");
    Path instances = dir.resolve(nodeId + "-instances");
    Files.createDirectories(instances);
    Files.setPosixFilePermissions(instances, PosixFilePermissions.fromString("rwx--x--x"));
    return node.set("worker.instancesDir", instances.toString())
        .set("worker.gatewayCommand", String.join(" ", StandIn.program()))
        .set("worker.pool.size", Integer.toString(POOL))
        .set("worker.capacity", Integer.toString(TENANTS + 20))
        .set("worker.ports.first", Integer.toString(firstPort))
        .set("worker.ports.last", Integer.toString(firstPort + 2_980))
        .set("worker.supervision.readinessPeriod", "200ms")
        .set("worker.isolation.mode", "none")
        .set("worker.isolation.allowSharedNone", "true")
        .set("worker.heartbeatInterval", "2s")
        .set("worker.housekeepingInterval", "2s")
        .set("worker.limits.memory", "512MiB")
        .set("worker.modelProxy.port", "0");
  }

  // ---- telegram ----

  private void say(long tenant, String text) {
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(updateIds.getAndIncrement(), tenant, text));
  }

  private List<String> texts(long tenant) {
    return telegram.sentTo(tenant).stream().map(Sent::text).toList();
  }

  private void awaitTexts(long tenant, List<String> expected) {
    await()
        .atMost(ANSWERED_WITHIN)
        .pollInterval(Duration.ofMillis(100))
        .failFast(
            "more was sent to tenant " + tenant + " than expected",
            () -> texts(tenant).size() > expected.size())
        .untilAsserted(() -> assertThat(texts(tenant)).isEqualTo(expected));
  }

  /** Every update fed so far was taken by the api and queued for a worker. */
  private void awaitQueued(int atLeast) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                telegram.pendingUpdates() == 0
                    && storage
                            .jdbi()
                            .withHandle(
                                h ->
                                    h.createQuery(
                                            "SELECT COUNT(*) FROM processed_updates WHERE status"
                                                + " = 'QUEUED'")
                                        .mapTo(Long.class)
                                        .one())
                        >= atLeast);
  }

  /** Instances of {@code worker} meant to run (its pool, none of the moved ones). */
  private long meantToRun(String worker) {
    return storage.dao(InstanceDao.class).listByWorker(worker).stream()
        .filter(i -> i.desiredState() == InstanceState.RUNNING)
        .count();
  }

  private Map<String, List<Long>> tenantsByWorker(List<Long> tenants) {
    InstanceDao instances = storage.dao(InstanceDao.class);
    return tenants.stream()
        .collect(
            Collectors.groupingBy(
                t -> instances.findByTenant(t).orElseThrow().workerNode(), Collectors.toList()));
  }

  // ---- shared servers ----

  private String createSchema() throws Exception {
    schema = "failover_" + run;
    try (var connection = admin().getConnection();
        var statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    PGSimpleDataSource dataSource = admin();
    dataSource.setCurrentSchema(schema);
    storage = Storage.create(dataSource);
    String url = env("CLAWHIVE_TEST_DB_URL");
    return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  private static PGSimpleDataSource admin() {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(env("CLAWHIVE_TEST_DB_URL"));
    dataSource.setUser(env("CLAWHIVE_TEST_DB_USER", "postgres"));
    return dataSource;
  }

  private static String env(String name) {
    return env(name, "");
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
