package io.clawhive.api.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.core.telegram.TelegramRetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The notice sender against the fake Bot API over a real socket. */
class NoticeSenderTest {
  private static final String TOKEN = "777:notice-test";
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final MetricRegistry metrics = new MetricRegistry();
  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private final CountDownLatch releaseWaits = new CountDownLatch(1);
  private volatile boolean holdWaits;
  private FakeTelegramBotApi telegram;
  private NoticeSender sender;

  @BeforeEach
  void startFake() throws Exception {
    telegram = new FakeTelegramBotApi(TOKEN);
  }

  @AfterEach
  void stop() throws Exception {
    releaseWaits.countDown();
    if (sender != null) {
      sender.stop();
    }
    telegram.close();
  }

  /** A sender whose retry waits are recorded (and held while {@link #holdWaits}). */
  private NoticeSender sender(int capacity, int perChatBurst) {
    TelegramBotApi client =
        new TelegramBotApi(
            TelegramBotApi.newHttpClient(),
            telegram.baseUrl(),
            TOKEN,
            new TelegramRetryPolicy(2, Duration.ofSeconds(60), 1, Duration.ZERO, Duration.ZERO),
            d -> {
              waits.add(d);
              if (holdWaits) {
                releaseWaits.await(30, TimeUnit.SECONDS);
              }
            },
            metrics);
    sender =
        new NoticeSender(
            client,
            capacity,
            1,
            perChatBurst,
            Duration.ofHours(1),
            1_000,
            metrics,
            Clock.systemUTC());
    sender.start();
    return sender;
  }

  private long count(String counter) {
    return metrics.counter(counter).getCount();
  }

  @Test
  void noticesGoOutInOrderAndA429IsWaitedOutForAsLongAsTelegramAsks() {
    sender(10, 3);
    telegram.rateLimitNext("sendMessage", 1, 7);

    assertThat(sender.tell(1, "first", 11)).isTrue();
    assertThat(sender.tell(2, "second", null)).isTrue();

    await().atMost(WAIT).until(() -> telegram.sent().size() == 2);
    assertThat(telegram.sent())
        .extracting(Sent::chatId, Sent::text, Sent::replyTo)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, "first", 11),
            org.assertj.core.groups.Tuple.tuple(2L, "second", null));
    assertThat(waits).containsExactly(Duration.ofSeconds(7));
    // counted once the client has Telegram's answer, just after the fake recorded the message
    await().atMost(WAIT).until(() -> count(NoticeSender.SENT) == 2);
    assertThat(count(NoticeSender.FAILED)).isZero();
  }

  @Test
  void whileTelegramHoldsTheSenderBackCallersNeverWaitAndWhatDoesNotFitIsDroppedAndCounted()
      throws Exception {
    holdWaits = true;
    sender(3, 100);
    telegram.rateLimitNext("sendMessage", 1, 30);

    assertThat(sender.tell(100, "held by a 429", null)).isTrue();
    await().atMost(WAIT).until(() -> waits.size() == 1);
    int queued = 0;
    for (long chat = 101; chat <= 110; chat++) {
      queued += sender.tell(chat, "notice " + chat, null) ? 1 : 0;
    }

    assertThat(queued).isEqualTo(3);
    assertThat(count(NoticeSender.DROPPED)).isEqualTo(7);
    assertThat(metrics.getGauges().get(NoticeSender.PENDING).getValue()).isEqualTo(3);
    assertThat(telegram.sent()).isEmpty();

    releaseWaits.countDown();
    await().atMost(WAIT).until(() -> telegram.sent().size() == 4);
    assertThat(telegram.sent()).extracting(Sent::chatId).containsExactly(100L, 101L, 102L, 103L);
    await().atMost(WAIT).until(() -> count(NoticeSender.SENT) == 4);
  }

  @Test
  void aChatGetsNoMoreThanItsBudgetAndOtherChatsAreNotAffected() {
    sender(100, 2);

    assertThat(sender.tell(5, "one", null)).isTrue();
    assertThat(sender.tell(5, "two", null)).isTrue();
    assertThat(sender.tell(5, "three", null)).isFalse();
    assertThat(sender.tell(6, "other chat", null)).isTrue();

    await().atMost(WAIT).until(() -> telegram.sent().size() == 3);
    assertThat(telegram.sentTo(5)).extracting(Sent::text).containsExactly("one", "two");
    assertThat(count(NoticeSender.RATE_LIMITED)).isEqualTo(1);
  }

  @Test
  void aStrangerIsToldOncePerPeriodWhateverTheChatBudget() {
    sender(100, 100);

    assertThat(sender.tellOncePerPeriod(9, 9, "invite-only", 1)).isTrue();
    assertThat(sender.tellOncePerPeriod(9, 9, "invite-only", 2)).isFalse();
    assertThat(sender.tellOncePerPeriod(9, 9, "waitlisted", 3)).isFalse();
    assertThat(sender.tellOncePerPeriod(10, 10, "invite-only", 4)).isTrue();

    await().atMost(WAIT).until(() -> telegram.sent().size() == 2);
    assertThat(telegram.sentTo(9)).extracting(Sent::replyTo).containsExactly(1);
    assertThat(count(NoticeSender.RATE_LIMITED)).isEqualTo(2);
  }

  @Test
  void aNoticeTelegramRefusesIsCountedAsFailedAndTheNextOneStillGoesOut() {
    sender(100, 100);
    telegram.failNext("sendMessage", 1, 403);
    telegram.rateLimitNext("sendMessage", 3, 1);

    sender.tell(1, "blocked the bot", null);
    sender.tell(2, "429 three times", null);
    sender.tell(3, "fine", null);

    await().atMost(WAIT).until(() -> count(NoticeSender.SENT) == 1);
    assertThat(telegram.sent()).extracting(Sent::chatId).containsExactly(3L);
    assertThat(count(NoticeSender.FAILED)).isEqualTo(2);
    assertThat(waits).as("two waits as Telegram asked, then given up").hasSize(2);
  }
}
