package io.clawhive.core.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.meta.api.objects.Update;

class TelegramBotApiTest {
  private static final String TOKEN = "123456:secret-token-abc";

  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private FakeTelegramBotApi fake;

  private TelegramBotApi client() throws Exception {
    fake = new FakeTelegramBotApi(TOKEN);
    return new TelegramBotApi(
        TelegramBotApi.newHttpClient(),
        fake.baseUrl(),
        TOKEN,
        new TelegramRetryPolicy(
            3, Duration.ofSeconds(30), 2, Duration.ofMillis(100), Duration.ofMillis(400)),
        waits::add);
  }

  @AfterEach
  void stop() throws Exception {
    if (fake != null) {
      fake.close();
    }
  }

  @Test
  void getUpdatesParsesTelegramTypesAndConfirmsByOffset() throws Exception {
    TelegramBotApi api = client();
    fake.addUpdate(FakeTelegramBotApi.textUpdate(10, 42, "/start INVITE"));
    fake.addUpdate(FakeTelegramBotApi.textUpdate(11, 42, "hello"));

    List<Update> updates = api.getUpdates(0, Duration.ofSeconds(1), List.of("message"));

    assertThat(updates).extracting(Update::getUpdateId).containsExactly(10, 11);
    var first = updates.get(0).getMessage();
    assertThat(first.getChat().isUserChat()).isTrue();
    assertThat(first.getFrom().getId()).isEqualTo(42L);
    first.getEntities();
    assertThat(first.isCommand()).isTrue();
    assertThat(api.getUpdates(12, Duration.ZERO, List.of("message"))).isEmpty();
    assertThat(fake.pendingUpdates()).isZero();
    assertThat(api.botId()).isEqualTo("123456");
  }

  @Test
  void honoursRetryAfterOn429() throws Exception {
    TelegramBotApi api = client();
    fake.rateLimitNext("sendMessage", 2, 7);

    assertThat(api.sendMessage(42, "hi", 5)).isEqualTo(1);

    assertThat(waits).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
    assertThat(fake.sent())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.text()).isEqualTo("hi");
              assertThat(s.replyTo()).isEqualTo(5);
            });
    assertThat(fake.calls("sendMessage")).isEqualTo(3);
  }

  @Test
  void retries5xxWithBackoffThenGivesUpRetryably() throws Exception {
    TelegramBotApi api = client();
    fake.failNext("sendChatAction", 2, 502);
    api.sendTyping(42);
    assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    assertThat(fake.actions()).containsExactly(new FakeTelegramBotApi.Action(42, "typing"));

    fake.failNext("sendMessage", 3, 500);
    assertThatThrownBy(() -> api.sendMessage(42, "x", null))
        .isInstanceOfSatisfying(
            TelegramApiException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.errorCode()).isEqualTo(500);
            });
    assertThat(fake.sent()).isEmpty();
  }

  @Test
  void tooManyRateLimitsBecomeARetryableFailure() throws Exception {
    TelegramBotApi api = client();
    fake.rateLimitNext("sendMessage", 4, 1);
    assertThatThrownBy(() -> api.sendMessage(42, "x", null))
        .isInstanceOfSatisfying(
            TelegramApiException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.errorCode()).isEqualTo(429);
            });
    assertThat(waits).hasSize(3);
  }

  @Test
  void otherClientErrorsAreNotRetriedAndNeverShowTheToken() throws Exception {
    TelegramBotApi wrong =
        new TelegramBotApi(
            TelegramBotApi.newHttpClient(),
            client().toString().isEmpty() ? "" : fake.baseUrl(),
            "999:wrong-token",
            TelegramRetryPolicy.defaults(),
            waits::add);
    assertThatThrownBy(() -> wrong.sendTyping(1))
        .isInstanceOfSatisfying(
            TelegramApiException.class,
            e -> {
              assertThat(e.retryable()).isFalse();
              assertThat(e.errorCode()).isEqualTo(401);
              assertThat(e.getMessage()).doesNotContain("wrong-token");
            });
    assertThat(waits).isEmpty();

    TelegramBotApi unreachable =
        new TelegramBotApi(
            TelegramBotApi.newHttpClient(),
            "http://127.0.0.1:1",
            TOKEN,
            new TelegramRetryPolicy(0, Duration.ofSeconds(1), 0, Duration.ZERO, Duration.ZERO),
            waits::add);
    assertThatThrownBy(() -> unreachable.sendTyping(1))
        .isInstanceOfSatisfying(
            TelegramApiException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.getMessage()).doesNotContain("secret-token-abc");
            });
    assertThat(unreachable.toString()).doesNotContain("secret-token-abc");
  }

  @Test
  void longAnswersAreSentAsSeveralMessagesInOrder() throws Exception {
    TelegramBotApi api = client();
    String paragraph = "p".repeat(3000);
    String text = paragraph + "\n\n" + "q".repeat(3000) + "\n\n" + "r".repeat(100);

    assertThat(api.sendMessage(42, text, 9)).isEqualTo(2);

    assertThat(fake.sent())
        .extracting(FakeTelegramBotApi.Sent::text)
        .containsExactly(paragraph, "q".repeat(3000) + "\n\n" + "r".repeat(100));
    assertThat(fake.sent()).extracting(FakeTelegramBotApi.Sent::replyTo).containsExactly(9, null);
  }

  @Test
  void webhookCallsCarryTheSecretAndSettings() throws Exception {
    TelegramBotApi api = client();
    api.setWebhook("https://example.test/telegram/webhook", "s3cret", List.of("message"), 40);
    api.deleteWebhook();
    assertThat(fake.webhookCalls()).hasSize(2);
    var set = fake.webhookCalls().get(0).path("params");
    assertThat(set.path("secret_token").asText()).isEqualTo("s3cret");
    assertThat(set.path("max_connections").asInt()).isEqualTo(40);
    assertThat(set.path("allowed_updates").get(0).asText()).isEqualTo("message");
  }
}
