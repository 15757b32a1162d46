package io.clawhive.core.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.task.ReplyTo;
import io.clawhive.core.task.RestartInstance;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.task.Task;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.core.testing.TestBrokers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A tenant holds at most one running plus {@code maxQueuedPerTenant} waiting deliveries; beyond
 * that its declinable tasks are declined (and acked) at once, while other tenants go on.
 */
@Tag("infra")
class TenantBoundsTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int QUEUED = 2;
  private static final long BUSY = 7;
  private static final long OTHER = 8;

  private final TaskCodec codec = new TaskCodec();
  private final MetricRegistry metrics = new MetricRegistry();
  private final List<AutoCloseable> started = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<String> handled = new CopyOnWriteArrayList<>();
  private final List<String> declined = new CopyOnWriteArrayList<>();
  private final List<String> told = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    release.countDown();
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  /** Declines route messages; records "text first?" — fails for the text "unrecordable". */
  private final TaskOverflow overflow =
      new TaskOverflow() {
        @Override
        public boolean declinable(Task task) {
          return task instanceof RouteMessage;
        }

        @Override
        public Runnable decline(Task task, boolean firstOfRun) {
          String text = ((RouteMessage) task).text();
          if (text.equals("unrecordable")) {
            throw new IllegalStateException("storage down");
          }
          declined.add(text + (firstOfRun ? " first" : ""));
          return firstOfRun ? () -> told.add(text) : () -> {};
        }
      };

  private void handle(Task task) throws InterruptedException {
    if (task instanceof RouteMessage message) {
      if (message.text().equals("block")) {
        assertThat(release.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      }
      handled.add(message.tenant() + ":" + message.text());
    } else {
      handled.add(task.tenant() + ":" + task.type());
    }
  }

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void aBusyTenantsExtraMessagesAreDeclinedWhileOthersGoOn(TestBrokers.Target target)
      throws Exception {
    TestBrokers.Running broker = track(target.start());
    String node = broker.nodeId("bounds");
    TaskConsumerSettings settings =
        TaskConsumerSettings.defaults()
            .withPrefetch(8)
            .withParallelism(2)
            .withMaxQueuedPerTenant(QUEUED)
            .withRetries(2, Duration.ofMillis(50), Duration.ofMillis(100))
            .withStopTimeout(Duration.ofSeconds(5));
    TaskConsumer consumer =
        track(
            new TaskConsumer(
                broker.connect("consumer"),
                broker.topology(),
                node,
                this::handle,
                overflow,
                codec,
                metrics,
                settings,
                Clock.systemUTC()));
    consumer.start();
    TaskPublisher publisher =
        track(new TaskPublisher(broker.connect("publisher"), broker.topology(), codec, metrics));

    publisher.publish(node, message(BUSY, "block"));
    await().atMost(WAIT).until(() -> consumer.inFlight() == 1);
    for (int i = 1; i <= 10; i++) {
      publisher.publish(node, message(BUSY, "m" + i));
    }
    // a restart is never declined: it waits in the lane even though the lane is full
    publisher.publish(node, RestartInstance.of(BUSY, "i-busy", "test", Instant.now()));
    publisher.publish(node, message(BUSY, "unrecordable"));
    publisher.publish(node, message(OTHER, "hello"));

    // more messages (13) than the prefetch window (8): only declining lets OTHER's through
    await().atMost(WAIT).until(() -> handled.contains(OTHER + ":hello"));
    await().atMost(WAIT).until(() -> declined.size() == 10 - QUEUED);
    assertThat(declined.get(0)).isEqualTo("m3 first");
    assertThat(declined.subList(1, declined.size())).noneMatch(d -> d.endsWith(" first"));
    await().atMost(WAIT).until(() -> told.equals(List.of("m3")));
    assertThat(queuedGauge()).isEqualTo(QUEUED + 1); // m1, m2 and the restart
    assertThat(handled).doesNotContain(BUSY + ":m1");

    release.countDown();
    await().atMost(WAIT).until(() -> handled.size() == 5 && consumer.inFlight() == 0);
    assertThat(handled)
        .containsSubsequence(
            BUSY + ":block", BUSY + ":m1", BUSY + ":m2", BUSY + ":" + RestartInstance.TYPE);
    assertThat(metrics.meter("tasks.declined.route_message").getCount()).isEqualTo(8);
    assertThat(queuedGauge()).isZero();
    consumer.stop();
    assertThat(broker.ready(broker.topology().workerQueue(node))).isZero();
    // the one whose decline could not be recorded is kept for ops, not dropped
    assertThat(
            new DeadLetters(broker.connect("dead-letters"), broker.topology(), codec, metrics)
                .count())
        .isEqualTo(1);
    assertThat(metrics.meter("tasks.dead_lettered.route_message").getCount()).isEqualTo(1);
  }

  @Test
  void aRunOfDeclinesEndsWhenTheLaneTakesAMessageAgain() {
    LaneAdmission lanes = new LaneAdmission(2);
    assertThat(lanes.admit("a", true)).isEqualTo(LaneAdmission.Verdict.ADMIT);
    assertThat(lanes.admit("a", true)).isEqualTo(LaneAdmission.Verdict.ADMIT);
    assertThat(lanes.admit("a", true)).isEqualTo(LaneAdmission.Verdict.DECLINE_FIRST);
    assertThat(lanes.admit("a", true)).isEqualTo(LaneAdmission.Verdict.DECLINE_AGAIN);
    // a task that must not be declined joins the full lane and does not end the run
    assertThat(lanes.admit("a", false)).isEqualTo(LaneAdmission.Verdict.ADMIT);
    assertThat(lanes.admit("a", true)).isEqualTo(LaneAdmission.Verdict.DECLINE_AGAIN);
    assertThat(lanes.admit("b", true)).isEqualTo(LaneAdmission.Verdict.ADMIT);
    lanes.release("a");
    lanes.release("a");
    assertThat(lanes.admit("a", true)).isEqualTo(LaneAdmission.Verdict.ADMIT);
    assertThat(lanes.admit("a", true)).isEqualTo(LaneAdmission.Verdict.DECLINE_FIRST);
    lanes.release("a");
    lanes.release("a");
    assertThat(lanes.held("a")).isZero();
    assertThat(lanes.held("b")).isEqualTo(1);
  }

  @SuppressWarnings("unchecked")
  private int queuedGauge() {
    return ((Gauge<Integer>) metrics.getGauges().get("tasks.queued")).getValue();
  }

  private <T extends AutoCloseable> T track(T closeable) {
    started.add(closeable);
    return closeable;
  }

  private static RouteMessage message(long tenant, String text) {
    return RouteMessage.of(tenant, tenant, null, text, ReplyTo.telegram(null), Instant.now());
  }
}
