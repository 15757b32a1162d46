package io.clawhive.core.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.clawhive.core.task.CheckHealth;
import io.clawhive.core.task.ReplyTo;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.task.Task;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.core.testing.TestBrokers;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Tag("infra")
class TaskBusTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final TaskConsumerSettings FAST =
      TaskConsumerSettings.defaults()
          .withRetries(3, Duration.ofMillis(100), Duration.ofSeconds(1))
          .withStopTimeout(Duration.ofSeconds(5));

  private final TaskCodec codec = new TaskCodec();
  private final MetricRegistry metrics = new MetricRegistry();
  private final List<AutoCloseable> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  private TestBrokers.Running start(TestBrokers.Target target) {
    return track(target.start());
  }

  private <T extends AutoCloseable> T track(T closeable) {
    started.add(closeable);
    return closeable;
  }

  private TaskConsumer consumer(
      TestBrokers.Running broker, Connection connection, String node, TaskHandler handler)
      throws Exception {
    return consumer(broker, connection, node, handler, FAST);
  }

  private TaskConsumer consumer(
      TestBrokers.Running broker,
      Connection connection,
      String node,
      TaskHandler handler,
      TaskConsumerSettings settings)
      throws Exception {
    TaskConsumer consumer =
        new TaskConsumer(
            connection,
            broker.topology(),
            node,
            handler,
            codec,
            metrics,
            settings,
            Clock.systemUTC());
    consumer.start();
    return track(consumer);
  }

  private TaskPublisher publisher(TestBrokers.Running broker) {
    return track(new TaskPublisher(broker.connect("publisher"), broker.topology(), codec, metrics));
  }

  private DeadLetters deadLetters(TestBrokers.Running broker) {
    return new DeadLetters(broker.connect("dead-letters"), broker.topology(), codec, metrics);
  }

  private static RouteMessage message(long tenant, String text) {
    return RouteMessage.of(tenant, tenant, null, text, ReplyTo.telegram(null), Instant.now());
  }

  private long meter(String name) {
    return metrics.meter(name).getCount();
  }

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void publishedTaskIsConsumedAndAcked(TestBrokers.Target target) throws Exception {
    TestBrokers.Running broker = start(target);
    String node = broker.nodeId("ack");
    List<Task> handled = new CopyOnWriteArrayList<>();
    TaskConsumer consumer = consumer(broker, broker.connect("consumer"), node, handled::add);
    RouteMessage task = message(42, "hello");

    publisher(broker).publish(node, task);

    await().atMost(WAIT).until(() -> handled.size() == 1);
    assertThat(handled).containsExactly(task);
    await().atMost(WAIT).until(() -> meter("tasks.acked.route_message") == 1);
    consumer.stop();
    assertThat(broker.ready(broker.topology().workerQueue(node))).isZero();
    assertThat(meter("tasks.published.route_message")).isEqualTo(1);
    assertThat(meter("tasks.delivered.route_message")).isEqualTo(1);
    assertThat(deadLetters(broker).count()).isZero();
  }

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void publishToANodeWithoutQueueFails(TestBrokers.Target target) throws Exception {
    TestBrokers.Running broker = start(target);
    String node = broker.nodeId("declared");
    consumer(broker, broker.connect("consumer"), node, task -> {});
    TaskPublisher publisher = publisher(broker);

    String nobody = broker.nodeId("nobody");

    // RabbitMQ returns the mandatory message ("unroutable"), Qpid nacks it: both must fail
    assertThatThrownBy(() -> publisher.publish(nobody, message(1, "lost")))
        .isInstanceOf(TaskPublishException.class)
        .hasMessageContaining(nobody)
        .satisfies(e -> assertThat(((TaskPublishException) e).target()).isEqualTo(nobody));
    assertThat(meter("tasks.published.route_message")).isZero();
  }

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void taskIsRedeliveredWhenItsConsumerDiesBeforeAcking(TestBrokers.Target target)
      throws Exception {
    TestBrokers.Running broker = start(target);
    String node = broker.nodeId("redeliver");
    CountDownLatch firstStarted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Connection doomed = broker.connect("doomed");
    consumer(
        broker,
        doomed,
        node,
        task -> {
          firstStarted.countDown();
          release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        });
    RouteMessage task = message(7, "survive me");
    publisher(broker).publish(node, task);
    assertThat(firstStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

    doomed.close();
    List<Task> second = new CopyOnWriteArrayList<>();
    consumer(broker, broker.connect("survivor"), node, second::add);

    await().atMost(WAIT).until(() -> second.size() == 1);
    assertThat(second.get(0).taskId()).isEqualTo(task.taskId());
    release.countDown();
    assertThat(deadLetters(broker).count()).isZero();
  }

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void failingTaskIsRetriedWithGrowingBackOffThenDeadLetteredAndReplayable(
      TestBrokers.Target target) throws Exception {
    TestBrokers.Running broker = start(target);
    String node = broker.nodeId("retry");
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    List<Long> times = new CopyOnWriteArrayList<>();
    AtomicBoolean healed = new AtomicBoolean();
    List<Task> succeeded = new CopyOnWriteArrayList<>();
    consumer(
        broker,
        broker.connect("consumer"),
        node,
        task -> {
          if (healed.get()) {
            succeeded.add(task);
            return;
          }
          attempts.add(task.attempt());
          times.add(System.nanoTime());
          throw new IllegalStateException("gateway down");
        });
    RouteMessage task = message(9, "retry me");
    publisher(broker).publish(node, task);
    DeadLetters deadLetters = deadLetters(broker);

    await().atMost(WAIT).until(() -> deadLetters.count() == 1);
    assertThat(attempts).containsExactly(1, 2, 3);
    long firstGap = times.get(1) - times.get(0);
    long secondGap = times.get(2) - times.get(1);
    assertThat(firstGap).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
    assertThat(secondGap).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
    // the consumer counts a dead letter once the broker confirmed it, which can be just after
    // the letter is visible in the queue
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(meter("tasks.retried.route_message")).isEqualTo(2);
              assertThat(meter("tasks.dead_lettered.route_message")).isEqualTo(1);
            });
    assertThat(meter("tasks.acked.route_message")).isZero();
    DeadLetter letter = deadLetters.peek(10).get(0);
    assertThat(letter.originNode()).isEqualTo(node);
    assertThat(letter.taskType()).isEqualTo("route_message");
    assertThat(letter.reason()).contains("3 attempt(s)").contains("gateway down");
    assertThat(letter.deadLetteredAt()).isNotNull();
    assertThat(codec.decode(letter.body()).attempt()).isEqualTo(1);
    assertThat(deadLetters.count()).isEqualTo(1);

    healed.set(true);
    List<Task> prepared = new ArrayList<>();
    assertThat(
            deadLetters.replay(
                l -> true,
                t -> {
                  // prepared before it is published: the worker cannot have it yet
                  assertThat(succeeded).isEmpty();
                  prepared.add(t);
                }))
        .isEqualTo(1);
    assertThat(prepared).extracting(Task::taskId).containsExactly(task.taskId());
    await().atMost(WAIT).until(() -> succeeded.size() == 1);
    assertThat(succeeded.get(0).taskId()).isEqualTo(task.taskId());
    assertThat(deadLetters.count()).isZero();
  }

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void permanentFailureIsDeadLetteredAtOnce(TestBrokers.Target target) throws Exception {
    TestBrokers.Running broker = start(target);
    String node = broker.nodeId("permanent");
    AtomicInteger calls = new AtomicInteger();
    consumer(
        broker,
        broker.connect("consumer"),
        node,
        task -> {
          calls.incrementAndGet();
          throw new PermanentTaskException("tenant is blocked");
        });
    publisher(broker).publish(node, CheckHealth.of(node, Instant.now()));
    DeadLetters deadLetters = deadLetters(broker);

    await().atMost(WAIT).until(() -> deadLetters.count() == 1);
    assertThat(calls).hasValue(1);
    assertThat(meter("tasks.retried.check_health")).isZero();
    assertThat(meter("tasks.dead_lettered.check_health")).isEqualTo(1);
    assertThat(deadLetters.peek(1).get(0).reason()).contains("tenant is blocked");
  }

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void garbageIsDeadLetteredAndTheConsumerCarriesOn(TestBrokers.Target target) throws Exception {
    TestBrokers.Running broker = start(target);
    String node = broker.nodeId("garbage");
    List<Task> handled = new CopyOnWriteArrayList<>();
    consumer(broker, broker.connect("consumer"), node, handled::add);
    try (Channel raw = broker.connect("raw").createChannel()) {
      raw.confirmSelect();
      raw.basicPublish(
          broker.topology().exchange(),
          node,
          new AMQP.BasicProperties.Builder().deliveryMode(2).messageId("junk-1").build(),
          "\u0000not a task{".getBytes(StandardCharsets.UTF_8));
      raw.basicPublish(
          broker.topology().exchange(),
          node,
          new AMQP.BasicProperties.Builder().deliveryMode(2).messageId("junk-2").build(),
          "{\"type\":\"launch_rockets\",\"schemaVersion\":1}".getBytes(StandardCharsets.UTF_8));
      raw.waitForConfirmsOrDie(WAIT.toMillis());
    }
    RouteMessage good = message(5, "still here");
    publisher(broker).publish(node, good);
    DeadLetters deadLetters = deadLetters(broker);

    await().atMost(WAIT).until(() -> handled.size() == 1 && deadLetters.count() == 2);
    assertThat(handled).containsExactly(good);
    assertThat(metrics.meter("tasks.undecodable").getCount()).isEqualTo(2);
    List<DeadLetter> letters = deadLetters.peek(10);
    assertThat(letters)
        .extracting(DeadLetter::messageId)
        .containsExactlyInAnyOrder("junk-1", "junk-2");
    assertThat(letters).allSatisfy(l -> assertThat(l.taskType()).isEqualTo("undecodable"));
    assertThat(letters)
        .anySatisfy(l -> assertThat(l.reason()).contains("unknown task type 'launch_rockets'"));
    assertThat(deadLetters.replayAll()).isZero();
    assertThat(deadLetters.count()).isEqualTo(2);
  }

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void tasksOfOneTenantRunInOrderAndTenantsInParallel(TestBrokers.Target target) throws Exception {
    TestBrokers.Running broker = start(target);
    String node = broker.nodeId("order");
    int perTenant = 20;
    long slow = 100;
    long fast = 200;
    CountDownLatch fastTenantDone = new CountDownLatch(1);
    Map<Long, List<String>> seen = new ConcurrentHashMap<>();
    Map<Long, AtomicInteger> running = new ConcurrentHashMap<>();
    AtomicBoolean overlapWithinTenant = new AtomicBoolean();
    TaskHandler handler =
        task -> {
          RouteMessage message = (RouteMessage) task;
          AtomicInteger mine = running.computeIfAbsent(message.tenant(), t -> new AtomicInteger());
          if (mine.incrementAndGet() > 1) {
            overlapWithinTenant.set(true);
          }
          try {
            if (message.tenant() == slow && message.text().equals("0")) {
              // tenant "slow" waits until another tenant has finished: only possible in parallel
              assertThat(fastTenantDone.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            }
            Thread.sleep(1);
            List<String> texts =
                seen.computeIfAbsent(message.tenant(), t -> new CopyOnWriteArrayList<>());
            texts.add(message.text());
            if (message.tenant() == fast && texts.size() == perTenant) {
              fastTenantDone.countDown();
            }
          } finally {
            mine.decrementAndGet();
          }
        };
    consumer(
        broker,
        broker.connect("consumer"),
        node,
        handler,
        FAST.withParallelism(4).withPrefetch(100));
    TaskPublisher publisher = publisher(broker);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < perTenant; i++) {
      expected.add(Integer.toString(i));
      for (long tenant : List.of(slow, fast, 300L)) {
        publisher.publish(node, message(tenant, Integer.toString(i)));
      }
    }

    await()
        .atMost(WAIT)
        .until(() -> seen.values().stream().mapToInt(List::size).sum() == 3 * perTenant);
    assertThat(seen.get(slow)).containsExactlyElementsOf(expected);
    assertThat(seen.get(fast)).containsExactlyElementsOf(expected);
    assertThat(seen.get(300L)).containsExactlyElementsOf(expected);
    assertThat(overlapWithinTenant).isFalse();
    assertThat(meter("tasks.dead_lettered.route_message")).isZero();
  }
}
