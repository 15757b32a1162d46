package io.clawhive.scheduler.failover;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.TenantMove;
import io.clawhive.core.storage.TenantMoveDao;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.core.storage.WorkerDao;
import io.clawhive.core.storage.WorkerLeaseDao;
import io.clawhive.core.storage.WorkerNode;
import io.clawhive.core.storage.WorkerStatus;
import io.clawhive.core.task.CheckHealth;
import io.clawhive.core.task.ReplyTo;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.task.Task;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.core.testing.TestBrokers;
import io.clawhive.core.testing.TestDatabase;
import io.clawhive.core.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One failover pass on real storage and a real broker (H2 + embedded broker always, PostgreSQL +
 * RabbitMQ when configured): a silent worker is declared dead and fenced, its tenants' instances
 * detached and moved, its queue moved in order to the live worker, and the moves settled.
 */
@Tag("infra")
class FailoverTest {
  private static final Duration DEAD_AFTER = Duration.ofSeconds(30);
  private final TaskCodec codec = new TaskCodec();
  private TestBrokers.Running broker;
  private TaskPublisher publisher;

  @AfterEach
  void stop() throws Exception {
    if (publisher != null) {
      publisher.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  static List<Object[]> targets() {
    List<TestDatabase> dbs = TestDatabases.all().toList();
    List<TestBrokers.Target> brokers = TestBrokers.all().toList();
    List<Object[]> pairs = new ArrayList<>();
    pairs.add(new Object[] {dbs.get(0), brokers.get(0)});
    if (dbs.size() > 1 && brokers.size() > 1) {
      pairs.add(new Object[] {dbs.get(1), brokers.get(1)});
    } else if (dbs.size() > 1) {
      dbs.get(1).close();
    }
    return pairs;
  }

  @ParameterizedTest(name = "{0} + {1}")
  @MethodSource("targets")
  void aSilentWorkerIsFencedAndItsTenantsAndQueueMoveInOrder(
      TestDatabase db, TestBrokers.Target target) throws Exception {
    broker = target.start();
    Storage storage = db.storage();
    Instant now = Instant.now();
    String dead = broker.nodeId("dead");
    String live = broker.nodeId("live");
    Connection connection = broker.connect("failover-test");
    try (Channel channel = connection.createChannel()) {
      broker.topology().declare(channel);
      broker.topology().declareWorkerQueue(channel, dead);
      broker.topology().declareWorkerQueue(channel, live);
    }
    Instant longAgo = now.minus(Duration.ofMinutes(5));
    long deadEpoch =
        storage.inTransaction(
            tx ->
                WorkerLeaseDao.register(
                    tx,
                    new WorkerNode(
                        dead, "h", 8, 2, null, null, longAgo, longAgo, WorkerStatus.UP)));
    storage.inTransaction(
        tx ->
            WorkerLeaseDao.register(
                tx, new WorkerNode(live, "h", 8, 0, null, null, now, now, WorkerStatus.UP)));
    for (long tenant : List.of(1L, 2L, 3L)) {
      storage
          .dao(TenantDao.class)
          .insert(new Tenant(tenant, tenant, null, "s-" + tenant, TenantStatus.ACTIVE, now, now));
    }
    InstanceDao instances = storage.dao(InstanceDao.class);
    instances.insert(Instance.provisioning("i-1", 1L, dead, 20000, "t", null, "/x1", now));
    instances.insert(Instance.provisioning("i-2", 2L, dead, 20020, "t", null, "/x2", now));
    instances.insert(Instance.provisioning("i-pool", null, dead, 20040, "t", null, "/x3", now));
    publisher = new TaskPublisher(connection, broker.topology(), codec, new MetricRegistry());
    List<RouteMessage> queued =
        List.of(
            message(1, "a", now),
            message(2, "b", now),
            message(1, "c", now),
            message(3, "d", now)); // tenant 3 had no instance yet, only a queued message
    publisher.publish(dead, queued.get(0));
    publisher.publish(dead, CheckHealth.of(dead, now));
    for (RouteMessage m : queued.subList(1, queued.size())) {
      publisher.publish(dead, m);
    }

    Failover failover =
        new Failover(
            storage, connection, broker.topology(), publisher, DEAD_AFTER, Clock.systemUTC());
    String summary = failover.run();

    assertThat(summary)
        .isEqualTo(
            "declared 1 worker(s) dead, moved 2 tenant(s), passed on 4 queued message(s),"
                + " dropped 1 other task(s)");
    WorkerNode row = storage.dao(WorkerDao.class).findById(dead).orElseThrow();
    assertThat(row.status()).isEqualTo(WorkerStatus.DEAD);
    assertThat(storage.dao(WorkerLeaseDao.class).findEpoch(dead)).contains(deadEpoch + 1);
    WorkerNode beat =
        new WorkerNode(dead, "h", 8, 2, null, null, now, Instant.now(), WorkerStatus.UP);
    assertThat(storage.dao(WorkerLeaseDao.class).beatHeld(beat, deadEpoch))
        .as("the dead worker's next heartbeat finds itself fenced")
        .isFalse();
    assertThat(instances.findById("i-1").orElseThrow())
        .satisfies(
            i -> {
              assertThat(i.tenantId()).isNull();
              assertThat(i.desiredState()).isEqualTo(InstanceState.DELETED);
            });
    assertThat(instances.findByTenant(2L)).isEmpty();
    assertThat(instances.findById("i-pool").orElseThrow().desiredState())
        .as("the dead worker's pool stays its own")
        .isNotEqualTo(InstanceState.DELETED);
    List<TenantMove> moves = storage.dao(TenantMoveDao.class).listAll();
    assertThat(moves)
        .extracting(TenantMove::tenantId, TenantMove::fromInstance, TenantMove::toWorker)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(1L, "i-1", live),
            org.assertj.core.groups.Tuple.tuple(2L, "i-2", live),
            org.assertj.core.groups.Tuple.tuple(3L, null, live));
    assertThat(moves).allSatisfy(m -> assertThat(m.settledAt()).as("settled").isNotNull());
    assertThat(drain(connection, live))
        .as("the live worker got every queued message once, in queue order")
        .containsExactlyElementsOf(queued.stream().map(RouteMessage::taskId).toList());
    assertThat(broker.ready(broker.topology().workerQueue(dead))).isZero();

    assertThat(storage.dao(TenantMoveDao.class).markNotified(1L, Instant.now())).isTrue();
    assertThat(storage.dao(TenantMoveDao.class).markNotified(1L, Instant.now()))
        .as("told once")
        .isFalse();
    assertThat(storage.dao(TenantMoveDao.class).markNotified(3L, Instant.now()))
        .as("a tenant that lost no instance is not told")
        .isFalse();
    assertThat(failover.run())
        .isEqualTo(
            "declared 0 worker(s) dead, moved 0 tenant(s), passed on 0 queued message(s),"
                + " dropped 0 other task(s)");
  }

  private static RouteMessage message(long tenant, String text, Instant now) {
    return RouteMessage.of(tenant, tenant, null, text, ReplyTo.telegram(null), now);
  }

  private List<java.util.UUID> drain(Connection connection, String node) throws Exception {
    List<java.util.UUID> ids = new ArrayList<>();
    try (Channel channel = connection.createChannel()) {
      GetResponse response;
      while ((response = channel.basicGet(broker.topology().workerQueue(node), true)) != null) {
        Task task = codec.decode(response.getBody());
        ids.add(task.taskId());
      }
    }
    return ids;
  }
}
