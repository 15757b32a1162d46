package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.storage.AdmissionWaitDao;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.UpdateStatus;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.worker.admission.WaitingLine;
import io.clawhive.worker.fleet.FleetMetrics;
import io.clawhive.worker.standin.StandIn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capacity figure through one whole node (api + worker from config.yml, fake Bot API,
 * stand-in gateways that take {@link #ANSWER_TAKES} per answer): a worker of capacity 3, ten new
 * users writing at once. A sampler reads, every {@link #SAMPLE_EVERY}, the live instance rows in
 * storage and the stand-in processes running under this JVM: neither ever exceeds 3. Idle gateways
 * are hibernated to make room, the users who had to wait are told their place, are served in that
 * order, and every user is answered exactly once.
 */
@Tag("infra")
class CapacityEndToEndTest {
  private static final int CAPACITY = 3;
  private static final int USERS = 10;
  private static final long FIRST_USER = 7001;
  private static final Duration ANSWER_TAKES = Duration.ofMillis(1500);
  private static final Duration SAMPLE_EVERY = Duration.ofMillis(20);
  private static final Pattern PLACE = Pattern.compile("You are number (\\d+) in line");

  @TempDir Path dir;
  private FakeTelegramBotApi telegram;
  private E2eNode node;

  @AfterEach
  void stopAll() throws Exception {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      if (telegram != null) {
        telegram.close();
      }
    }
  }

  @Test
  void tenNewUsersOnThreeSeatsWaitInLineAndAreAllAnswered() throws Exception {
    telegram = new FakeTelegramBotApi(E2eNode.BOT_TOKEN);
    node =
        new E2eNode(dir, "api,worker")
            .standIns(StandIn.programAnsweringAfter(ANSWER_TAKES), 0)
            .set("worker.capacity", Integer.toString(CAPACITY))
            .telegram(telegram.baseUrl(), "polling")
            .start();
    Sampler sampler = new Sampler(node);
    Thread sampling = new Thread(sampler, "live-gateway-sampler");
    sampling.start();
    try {
      for (int u = 0; u < USERS; u++) {
        telegram.addUpdate(FakeTelegramBotApi.textUpdate(300 + u, FIRST_USER + u, "hi " + u));
      }
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> answered() == USERS);
    } finally {
      sampler.stop.set(true);
      sampling.join();
    }

    System.out.printf(
        "capacity e2e: %d users on %d seats: max %d live rows, max %d gateway processes"
            + " (%d samples), %d evictions, %d users waited%n",
        USERS,
        CAPACITY,
        sampler.maxRows.get(),
        sampler.maxProcesses.get(),
        sampler.samples.get(),
        metrics().meter(FleetMetrics.EVICTIONS).getCount(),
        places().size());
    assertThat(sampler.trouble).as("sampling errors").isEmpty();
    assertThat(sampler.samples.get()).isGreaterThan(10);
    assertThat(sampler.maxRows.get()).isLessThanOrEqualTo(CAPACITY);
    assertThat(sampler.maxProcesses.get()).isLessThanOrEqualTo(CAPACITY).isPositive();

    // each user exactly one answer, the right one; the waiting ones were told first
    Map<Long, Integer> places = places();
    assertThat(places).as("users who had to wait").hasSizeGreaterThanOrEqualTo(USERS - CAPACITY);
    for (int u = 0; u < USERS; u++) {
      long user = FIRST_USER + u;
      List<String> texts = telegram.sentTo(user).stream().map(Sent::text).toList();
      List<String> answers = texts.stream().filter(t -> t.startsWith("echo:")).toList();
      assertThat(answers).as("answers to %d", user).containsExactly("echo: hi " + u + " (turn 1)");
      if (places.containsKey(user)) {
        assertThat(texts.get(0)).as("first to %d", user).contains("in line");
      }
    }
    assertThat(places.values())
        .as("places are given in order")
        .doesNotHaveDuplicates()
        .allSatisfy(p -> assertThat(p).isBetween(1, USERS));

    // served in order: a waiting user's gateway was made before that of anyone behind them
    List<Long> byPlace =
        places.entrySet().stream()
            .sorted(Map.Entry.comparingByValue())
            .map(Map.Entry::getKey)
            .toList();
    List<Long> byCreation =
        node.instances().stream()
            .filter(i -> places.containsKey(i.tenantId()))
            .sorted(Comparator.comparing(Instance::createdAt))
            .map(Instance::tenantId)
            .toList();
    assertThat(byCreation).isEqualTo(byPlace);

    // idle gateways were hibernated to make room: one per user beyond the seats
    List<Instance> instances = node.instances();
    assertThat(instances).hasSize(USERS);
    assertThat(instances.stream().filter(i -> i.actualState() == InstanceState.HIBERNATED))
        .hasSize(USERS - CAPACITY);
    assertThat(metrics().meter(FleetMetrics.EVICTIONS).getCount()).isEqualTo(USERS - CAPACITY);
    assertThat(metrics().meter(WaitingLine.WAITS).getCount()).isEqualTo(places.size());
    assertThat(metrics().meter(WaitingLine.ADMITTED).getCount()).isEqualTo(places.size());
    assertThat(node.storage().dao(AdmissionWaitDao.class).countAll()).isZero();
    ProcessedUpdateDao updates = node.storage().dao(ProcessedUpdateDao.class);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (int u = 0; u < USERS; u++) {
                assertThat(updates.findById(300 + u))
                    .hasValueSatisfying(
                        r -> assertThat(r.status()).isEqualTo(UpdateStatus.ANSWERED));
              }
            });
  }

  private long answered() {
    long users = 0;
    for (int u = 0; u < USERS; u++) {
      if (telegram.sentTo(FIRST_USER + u).stream().anyMatch(s -> s.text().startsWith("echo:"))) {
        users++;
      }
    }
    return users;
  }

  /** The place each waiting user was told, by user. */
  private Map<Long, Integer> places() {
    Map<Long, Integer> places = new LinkedHashMap<>();
    for (int u = 0; u < USERS; u++) {
      for (Sent sent : telegram.sentTo(FIRST_USER + u)) {
        Matcher m = PLACE.matcher(sent.text());
        if (m.find()) {
          places.put(FIRST_USER + u, Integer.parseInt(m.group(1)));
        }
      }
    }
    return places;
  }

  private MetricRegistry metrics() {
    return node.environment().metrics();
  }

  /** Live instance rows of the node's worker, and stand-in processes under this JVM. */
  private static final class Sampler implements Runnable {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicInteger maxRows = new AtomicInteger();
    final AtomicInteger maxProcesses = new AtomicInteger();
    final AtomicInteger samples = new AtomicInteger();
    final List<Throwable> trouble = new CopyOnWriteArrayList<>();
    private final E2eNode node;

    Sampler(E2eNode node) {
      this.node = node;
    }

    @Override
    public void run() {
      InstanceDao instances = node.storage().dao(InstanceDao.class);
      while (!stop.get()) {
        try {
          maxRows.accumulateAndGet(instances.countLiveByWorker(node.nodeId), Math::max);
          maxProcesses.accumulateAndGet(standIns(), Math::max);
          samples.incrementAndGet();
          Thread.sleep(SAMPLE_EVERY.toMillis());
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          trouble.add(e);
        }
      }
    }

    private static int standIns() {
      return (int)
          ProcessHandle.current()
              .descendants()
              .filter(p -> p.isAlive())
              // the JVM itself: sandboxed, the wrappers (ip netns exec, setpriv, bwrap) carry the
              // same command line
              .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
              .filter(
                  p -> p.info().commandLine().map(c -> c.contains("StandInGateway")).orElse(false))
              .count();
    }
  }
}
