package io.clawhive.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.clawhive.core.broker.DeadLetters;
import io.clawhive.core.broker.TaskConsumer;
import io.clawhive.core.broker.TaskConsumerSettings;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.HealthResultDao;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.task.CheckHealth;
import io.clawhive.core.task.CreateInstance;
import io.clawhive.core.task.HibernateInstance;
import io.clawhive.core.task.RestartInstance;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.core.task.WakeInstance;
import io.clawhive.core.testing.TestBrokers;
import io.clawhive.worker.node.TaskDispatcher;
import io.clawhive.worker.tasks.FleetTaskHandlers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Instance tasks through the broker, the worker's consumer and the dispatcher into the fleet. */
@Tag("infra")
class FleetTasksOverBrokerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void instanceTasksAreHandledOnceAndUnknownInstancesAreDeadLettered(TestBrokers.Target target)
      throws Exception {
    try (TestBrokers.Running broker = target.start();
        FleetFixture f = new FleetFixture(dir)) {
      String node = broker.nodeId("worker");
      Fleet fleet = f.fleet(withNode(f.settings(0), node));
      fleet.start();
      Connection connection = broker.connect("fleet-test");
      try (Channel channel = connection.createChannel()) {
        broker.topology().declareWorkerQueue(channel, node);
      }
      MetricRegistry metrics = new MetricRegistry();
      TaskConsumer consumer =
          new TaskConsumer(
              connection,
              broker.topology(),
              node,
              FleetTaskHandlers.register(new TaskDispatcher(node), fleet),
              new TaskCodec(),
              metrics,
              TaskConsumerSettings.defaults(),
              Clock.systemUTC());
      consumer.start();
      try (TaskPublisher publisher =
          new TaskPublisher(connection, broker.topology(), new TaskCodec(), metrics)) {
        CreateInstance create = CreateInstance.forTenant(7L, Instant.now());
        publisher.publish(node, create);
        await()
            .atMost(WAIT)
            .until(
                () ->
                    f.rowOfTenant(7L).map(Instance::actualState).orElse(null)
                        == InstanceState.RUNNING);
        Instance created = f.rowOfTenant(7L).orElseThrow();
        assertThat(created.id()).isEqualTo(create.taskId().toString());

        publisher.publish(node, create.withAttempt(2)); // a redelivery of the same task
        CreateInstance pool = CreateInstance.forPool(Instant.now());
        publisher.publish(node, pool);
        publisher.publish(node, pool);
        await().atMost(WAIT).until(() -> acked(metrics) == 4);
        assertThat(f.rows())
            .extracting(Instance::id)
            .containsExactlyInAnyOrder(created.id(), pool.taskId().toString());
        assertThat(f.row(created.id()).pid()).isEqualTo(created.pid());

        publisher.publish(node, HibernateInstance.of(7L, created.id(), Instant.now()));
        await()
            .atMost(WAIT)
            .until(() -> f.row(created.id()).actualState() == InstanceState.HIBERNATED);
        publisher.publish(node, WakeInstance.of(7L, created.id(), Instant.now()));
        await()
            .atMost(WAIT)
            .until(() -> f.row(created.id()).actualState() == InstanceState.RUNNING);
        publisher.publish(node, RestartInstance.of(7L, created.id(), "ops", Instant.now()));
        await().atMost(WAIT).until(() -> f.row(created.id()).restartCount() == 1);
        await()
            .atMost(WAIT)
            .until(() -> f.row(created.id()).actualState() == InstanceState.RUNNING);
        publisher.publish(node, CheckHealth.of(node, Instant.now()));
        await()
            .atMost(WAIT)
            .until(
                () -> !f.storage.dao(HealthResultDao.class).listRecent(created.id(), 1).isEmpty());

        publisher.publish(node, HibernateInstance.of(9L, "no-such-instance", Instant.now()));
        DeadLetters deadLetters =
            new DeadLetters(connection, broker.topology(), new TaskCodec(), metrics);
        await().atMost(WAIT).until(() -> deadLetters.count() == 1);
        assertThat(deadLetters.peek(1))
            .singleElement()
            .satisfies(d -> assertThat(d.reason()).contains("no-such-instance"));
        assertThat(f.row(created.id()).failureReason()).isNull();
      } finally {
        consumer.stop();
        fleet.stop();
      }
    }
  }

  private static long acked(MetricRegistry metrics) {
    var meter = metrics.getMeters().get("tasks.acked." + CreateInstance.TYPE);
    return meter == null ? 0 : meter.getCount();
  }

  private static FleetSettings withNode(FleetSettings s, String node) {
    return new FleetSettings(
        node,
        s.instancesDir(),
        s.ports(),
        s.poolSize(),
        s.limits(),
        s.policy(),
        s.hibernateAfter(),
        s.diskQuotaBytes(),
        s.housekeepingInterval(),
        s.recommendedSkills(),
        s.instanceUserPrefix(),
        s.gatewayProgram(),
        s.runtime(),
        s.model());
  }
}
