package io.clawhive.core.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.clawhive.core.testing.TestBrokers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Pipelined confirms: each of many concurrent publishes gets its own confirm or its own error. */
@Tag("infra")
class ConfirmedPublishingTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration LONG_CONFIRM_TIMEOUT = Duration.ofSeconds(120);
  private static final int THREADS = 16;
  private static final int PER_THREAD = 40;

  private final List<AutoCloseable> started = new ArrayList<>();
  private final ExecutorService threads = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void stopAll() throws Exception {
    threads.shutdownNow();
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  private TestBrokers.Running start(TestBrokers.Target target) {
    TestBrokers.Running broker = target.start();
    started.add(broker);
    return broker;
  }

  /** Declares the worker queue of {@code node} and answers its name. */
  private static String declare(TestBrokers.Running broker, String node) throws Exception {
    try (Channel channel = broker.connect("declare").createChannel()) {
      broker.topology().declare(channel);
      return broker.topology().declareWorkerQueue(channel, node);
    }
  }

  private static AMQP.BasicProperties props(String id) {
    return new AMQP.BasicProperties.Builder().deliveryMode(2).messageId(id).build();
  }

  private static byte[] body(String id) {
    return id.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void manyConcurrentPublishesEachGetTheirOwnConfirm(TestBrokers.Target target) throws Exception {
    TestBrokers.Running broker = start(target);
    String node = broker.nodeId("many");
    String queue = declare(broker, node);
    ConfirmedPublishing publishing =
        new ConfirmedPublishing(broker.connect("publisher"), LONG_CONFIRM_TIMEOUT);
    started.add(publishing);
    Set<String> confirmed = ConcurrentHashMap.newKeySet();

    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      done.add(
          threads.submit(
              () -> {
                for (int i = 0; i < PER_THREAD; i++) {
                  String id = thread + "-" + i;
                  publishing.publish(broker.topology().exchange(), node, props(id), body(id));
                  confirmed.add(id);
                }
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }

    assertThat(confirmed).hasSize(THREADS * PER_THREAD);
    assertThat(broker.ready(queue)).isEqualTo(THREADS * PER_THREAD);
  }

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void anUnroutablePublishFailsAloneAmongConcurrentGoodOnes(TestBrokers.Target target)
      throws Exception {
    TestBrokers.Running broker = start(target);
    String node = broker.nodeId("good");
    String queue = declare(broker, node);
    String nobody = broker.nodeId("nobody");
    ConfirmedPublishing publishing =
        new ConfirmedPublishing(broker.connect("publisher"), LONG_CONFIRM_TIMEOUT);
    started.add(publishing);
    Set<String> failed = ConcurrentHashMap.newKeySet();
    AtomicInteger good = new AtomicInteger();

    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      done.add(
          threads.submit(
              () -> {
                for (int i = 0; i < PER_THREAD; i++) {
                  String id = thread + "-" + i;
                  // every 7th goes to a node without a queue: Qpid nacks it, RabbitMQ returns it
                  String to = i % 7 == 3 ? nobody : node;
                  try {
                    publishing.publish(broker.topology().exchange(), to, props(id), body(id));
                    assertThat(to).isEqualTo(node);
                    good.incrementAndGet();
                  } catch (TaskPublishException e) {
                    assertThat(e.messageId()).isEqualTo(id);
                    assertThat(e.target()).isEqualTo(nobody);
                    failed.add(id);
                  }
                }
              }));
    }
    for (Future<?> f : done) {
      f.get();
    }

    int expectedBad =
        THREADS
            * (int) java.util.stream.IntStream.range(0, PER_THREAD).filter(i -> i % 7 == 3).count();
    assertThat(failed).hasSize(expectedBad);
    assertThat(good.get()).isEqualTo(THREADS * PER_THREAD - expectedBad);
    assertThat(broker.ready(queue)).isEqualTo(good.get());
  }

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void losingTheConnectionFailsThePublishesStillWaiting(TestBrokers.Target target)
      throws Exception {
    TestBrokers.Running broker = start(target);
    String node = broker.nodeId("lost");
    declare(broker, node);
    Connection connection = broker.connect("publisher");
    Channel raw = connection.createChannel();
    ConfirmChannel channel = new ConfirmChannel(raw);
    List<CompletableFuture<Void>> confirms = new ArrayList<>();
    int published = 0;
    // enough in flight that the broker cannot have confirmed them all when the connection goes
    while (published < 5_000 && (published < 200 || channel.inFlight() > 50 || published < 2_000)) {
      String id = "m-" + published++;
      confirms.add(channel.publish(broker.topology().exchange(), node, props(id), body(id)));
    }
    int waitingAtLoss = channel.inFlight();

    connection.abort();

    await().atMost(WAIT).until(() -> confirms.stream().allMatch(CompletableFuture::isDone));
    long failed = confirms.stream().filter(CompletableFuture::isCompletedExceptionally).count();
    assertThat(waitingAtLoss).isPositive();
    assertThat(failed).isPositive().isLessThanOrEqualTo(waitingAtLoss);
    assertThat(channel.inFlight()).isZero();
    confirms.stream()
        .filter(CompletableFuture::isCompletedExceptionally)
        .forEach(
            f ->
                assertThat(f.handle((ok, e) -> e))
                    .succeedsWithin(Duration.ZERO)
                    .isInstanceOf(ConfirmChannel.ConfirmFailure.class)
                    .satisfies(e -> assertThat(e.getMessage()).contains("channel closed")));
  }

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void aPublisherRecoversItsChannelAfterAFailure(TestBrokers.Target target) throws Exception {
    TestBrokers.Running broker = start(target);
    String node = broker.nodeId("again");
    String queue = declare(broker, node);
    ConfirmedPublishing publishing =
        new ConfirmedPublishing(broker.connect("publisher"), LONG_CONFIRM_TIMEOUT);
    started.add(publishing);
    String nobody = broker.nodeId("nobody");

    try {
      publishing.publish(broker.topology().exchange(), nobody, props("x"), body("x"));
    } catch (TaskPublishException expected) {
      // on either broker, see the test above
    }
    publishing.publish(broker.topology().exchange(), node, props("y"), body("y"));

    assertThat(broker.ready(queue)).isEqualTo(1);
  }
}
