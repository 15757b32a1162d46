package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import io.clawhive.api.telegram.NoticeSender;
import io.clawhive.core.storage.TelegramOffsetDao;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.worker.standin.StandIn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, "ingress never waits on outgoing notices", through one whole node (api + worker, long
 * polling against the fake Bot API, stand-in gateways): 1,000 strangers send 10 messages each to an
 * invite-only bot while the fake Bot API answers 429 ({@code retry_after} 1 s) to every other
 * notice call. Two allowed users keep writing meanwhile; their latency is printed beside the same
 * users' latency before the flood. Asserted: every allowed message is answered in order, the
 * polling offset moves past the whole flood while most notices are still waiting to go out, each
 * stranger got at most one notice (one per period), the other 9,000 were counted as rate-limited,
 * and no stranger has a tenant row.
 */
@Tag("infra")
class StrangerFloodEndToEndTest {
  private static final int STRANGERS = 1_000;
  private static final int MESSAGES_EACH = 10;
  private static final long FIRST_STRANGER = 5_000_000L;
  private static final List<Long> ALLOWED = List.of(9_101L, 9_102L);
  private static final int UNLOADED_ROUNDS = 6;
  private static final int MIN_LOADED_ROUNDS = 6;

  /**
   * Updates the feeder keeps waiting at the fake at most (two getUpdates batches; it refills as
   * ingress takes them): the flood runs as fast as ingress takes it, and an allowed user's message
   * waits behind at most this many strangers' (Telegram hands updates out in order).
   */
  private static final int BACKLOG = 200;

  private static final Duration REPLY = Duration.ofSeconds(60);
  private static final Duration FLOOD = Duration.ofMinutes(5);
  private static final String INVITE_ONLY =
      "This bot is invite-only. If you have an invite code, send: /start YOUR-CODE";

  @TempDir Path dir;
  private FakeTelegramBotApi telegram;
  private E2eNode node;
  private final AtomicLong nextUpdateId = new AtomicLong(1);
  private final Map<String, Long> askedAt = new ConcurrentHashMap<>();
  private final Map<String, Long> answeredAt = new ConcurrentHashMap<>();

  @BeforeEach
  void startFakeTelegram() throws Exception {
    telegram = new FakeTelegramBotApi(E2eNode.BOT_TOKEN);
    telegram.onSent(
        sent -> {
          if (sent.text().startsWith("echo: ")) {
            String asked = sent.text().substring(6, sent.text().lastIndexOf(" (turn "));
            answeredAt.put(asked, sent.at());
          }
        });
  }

  @AfterEach
  void stopAll() throws Exception {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      telegram.close();
    }
  }

  @Test
  void strangersWhoseNoticesMeet429sDelayNeitherAllowedUsersNorThePollingOffset() throws Exception {
    node =
        new E2eNode(dir, "api,worker")
            .standIns(StandIn.program(), 0)
            .telegram(telegram.baseUrl(), "polling")
            .set(
                "api.access.allowedUserIds",
                ALLOWED.stream().map(String::valueOf).collect(Collectors.joining(",")))
            .set("api.access.rateLimitPerMinute", "600")
            .set("api.access.rateLimitBurst", "50")
            .start();
    MetricRegistry metrics = node.environment().metrics();

    // one after the other: each first message provisions the user's gateway
    for (long user : ALLOWED) {
      ask(user, "warm-up " + user);
      awaitAnswers(List.of("warm-up " + user));
    }
    List<Long> unloaded = new ArrayList<>();
    for (int round = 0; round < UNLOADED_ROUNDS; round++) {
      unloaded.addAll(probeRound("quiet-" + round));
    }

    AtomicInteger notices = new AtomicInteger();
    telegram.rateLimitWhile(
        "sendMessage",
        params ->
            params.path("chat_id").asLong() >= FIRST_STRANGER && notices.incrementAndGet() % 2 == 0,
        1);
    long floodStart = System.nanoTime();
    Thread feeder = new Thread(this::feedStrangers, "stranger-feeder");
    feeder.start();
    List<Long> loaded = new ArrayList<>();
    int rounds = 0;
    while (feeder.isAlive() || rounds < MIN_LOADED_ROUNDS) {
      loaded.addAll(probeRound("busy-" + rounds++));
    }
    feeder.join(FLOOD.toMillis());
    long lastId = nextUpdateId.get() - 1;
    await().atMost(FLOOD).pollInterval(Duration.ofMillis(100)).until(() -> offset() == lastId + 1);
    long floodSeconds = (System.nanoTime() - floodStart) / 1_000_000_000L;
    long sentNow = count(metrics, NoticeSender.SENT);
    long failedNow = count(metrics, NoticeSender.FAILED);
    long droppedNow = count(metrics, NoticeSender.DROPPED);

    System.out.printf(
        "stranger flood: %d updates from %d strangers confirmed (offset %d) %d s after the flood"
            + " began (%d updates/s); %d allowed messages answered meanwhile%n",
        STRANGERS * MESSAGES_EACH,
        STRANGERS,
        lastId + 1,
        floodSeconds,
        STRANGERS * MESSAGES_EACH / Math.max(1, floodSeconds),
        loaded.size());
    System.out.printf(
        "allowed users' latency: unloaded p50 %d ms, max %d ms; during the flood p50 %d ms,"
            + " max %d ms%n",
        percentile(unloaded, 50),
        percentile(unloaded, 100),
        percentile(loaded, 50),
        percentile(loaded, 100));
    System.out.printf(
        "notices when the offset passed the flood: sent %d, failed %d, dropped %d, rate-limited"
            + " %d, still queued %s; 429s answered by the fake: %d of %d notice calls%n",
        sentNow,
        failedNow,
        droppedNow,
        count(metrics, NoticeSender.RATE_LIMITED),
        metrics.getGauges().get(NoticeSender.PENDING).getValue(),
        notices.get() / 2,
        notices.get());

    assertThat(sentNow + failedNow + droppedNow)
        .as("the offset passed the flood while notices were still waiting to go out")
        .isLessThan(STRANGERS);
    for (long user : ALLOWED) {
      List<String> echoes =
          telegram.sentTo(user).stream()
              .map(Sent::text)
              .filter(t -> t.startsWith("echo: "))
              .toList();
      assertThat(echoes).as("answers of %d", user).hasSize(1 + UNLOADED_ROUNDS + rounds);
      for (int i = 0; i < echoes.size(); i++) {
        assertThat(echoes.get(i))
            .as("answers of %d in order", user)
            .endsWith("(turn " + (i + 1) + ")");
      }
    }
    assertThat(count(metrics, NoticeSender.RATE_LIMITED))
        .as("repeat messages of strangers within the period")
        .isEqualTo((long) STRANGERS * (MESSAGES_EACH - 1));
    Map<Long, List<Sent>> toStrangers =
        telegram.sent().stream()
            .filter(s -> s.chatId() >= FIRST_STRANGER)
            .collect(Collectors.groupingBy(Sent::chatId));
    assertThat(toStrangers.values())
        .as("each stranger got at most one notice, the invite-only one")
        .allSatisfy(
            sent -> assertThat(sent).singleElement().extracting(Sent::text).isEqualTo(INVITE_ONLY));
    assertThat(node.storage().dao(TenantDao.class).listAll())
        .extracting(Tenant::id)
        .containsExactlyInAnyOrderElementsOf(ALLOWED);
    assertThat(strangerUpdates("IGNORED")).isEqualTo((long) STRANGERS * MESSAGES_EACH);
    System.out.printf(
        "notices at the end: %d strangers told, sent %d, failed %d, dropped %d%n",
        toStrangers.size(),
        count(metrics, NoticeSender.SENT),
        count(metrics, NoticeSender.FAILED),
        count(metrics, NoticeSender.DROPPED));
  }

  /** Message i of every stranger, round by round, keeping at most {@link #BACKLOG} waiting. */
  private void feedStrangers() {
    for (int message = 0; message < MESSAGES_EACH; message++) {
      for (int stranger = 0; stranger < STRANGERS; stranger++) {
        if (stranger % 100 == 0) {
          await().atMost(FLOOD).until(() -> telegram.pendingUpdates() < BACKLOG);
        }
        long user = FIRST_STRANGER + stranger;
        synchronized (telegram) {
          telegram.addUpdate(
              FakeTelegramBotApi.textUpdate(nextUpdateId.getAndIncrement(), user, "let me in"));
        }
      }
    }
  }

  /** One message per allowed user; waits for both answers and returns their latencies in ms. */
  private List<Long> probeRound(String label) {
    List<String> texts = new ArrayList<>();
    for (long user : ALLOWED) {
      String text = label + " from " + user;
      ask(user, text);
      texts.add(text);
    }
    awaitAnswers(texts);
    return texts.stream().map(t -> (answeredAt.get(t) - askedAt.get(t)) / 1_000_000L).toList();
  }

  /** Id taken and update queued under the fake's lock, so ids reach it in order. */
  private void ask(long user, String text) {
    synchronized (telegram) {
      askedAt.put(text, System.nanoTime());
      telegram.addUpdate(FakeTelegramBotApi.textUpdate(nextUpdateId.getAndIncrement(), user, text));
    }
  }

  private void awaitAnswers(List<String> texts) {
    await().atMost(REPLY).until(() -> answeredAt.keySet().containsAll(texts));
  }

  private long offset() {
    return node.storage().dao(TelegramOffsetDao.class).findNextOffset("424242").orElse(0L);
  }

  private long strangerUpdates(String status) {
    return node.storage()
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT COUNT(*) FROM processed_updates"
                            + " WHERE tenant_id >= :first AND status = :status")
                    .bind("first", FIRST_STRANGER)
                    .bind("status", status)
                    .mapTo(Long.class)
                    .one());
  }

  private static long count(MetricRegistry metrics, String counter) {
    return metrics.counter(counter).getCount();
  }

  private static long percentile(List<Long> values, int percentile) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = Math.max(0, (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1);
    return sorted.get(index);
  }
}
