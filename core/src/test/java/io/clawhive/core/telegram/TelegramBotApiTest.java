package io.clawhive.core.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TelegramBotApiTest {
  private static final String TOKEN = "123456:secret-token-abc";

  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private final MetricRegistry metrics = new MetricRegistry();
  private FakeTelegramBotApi fake;

  private TelegramBotApi client() throws Exception {
    fake = new FakeTelegramBotApi(TOKEN);
    return new TelegramBotApi(
        TelegramBotApi.newHttpClient(),
        fake.baseUrl(),
        TOKEN,
        new TelegramRetryPolicy(
            3, Duration.ofSeconds(30), 2, Duration.ofMillis(100), Duration.ofMillis(400)),
        waits::add,
        metrics);
  }

  private long unexpectedAnswers() {
    return metrics.counter(TelegramBotApi.UNEXPECTED_ANSWERS).getCount();
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

    List<IncomingUpdate> updates = api.getUpdates(0, Duration.ofSeconds(1), List.of("message"));

    assertThat(updates).extracting(IncomingUpdate::updateId).containsExactly(10L, 11L);
    assertThat(updates).allMatch(IncomingUpdate::understood);
    var first = updates.get(0).update().getMessage();
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

  @Test
  void oneUpdateThatCannotBeUnderstoodDoesNotHideTheOthers() throws Exception {
    TelegramBotApi api = client();
    fake.addUpdate(FakeTelegramBotApi.textUpdate(20, 42, "first"));
    fake.addUpdate(FakeTelegramBotApi.unparsableUpdate(21, 43, "odd"));
    fake.addUpdate(new ObjectMapper().createObjectNode().put("no_update_id", true));
    fake.addUpdate(FakeTelegramBotApi.textUpdate(22, 44, "third"));

    List<IncomingUpdate> updates = api.getUpdates(0, Duration.ofSeconds(1), List.of("message"));

    assertThat(updates).extracting(IncomingUpdate::updateId).containsExactly(20L, 21L, 22L);
    assertThat(updates).extracting(IncomingUpdate::understood).containsExactly(true, false, true);
    IncomingUpdate odd = updates.get(1);
    assertThat(odd.update()).isNull();
    assertThat(odd.problem()).startsWith("message.");
    assertThat(odd.raw()).contains("\"chat-43\"").contains("\"update_id\":21");
    assertThat(updates.get(2).update().getMessage().getText()).isEqualTo("third");
    assertThat(metrics.counter(TelegramBotApi.UPDATES_WITHOUT_ID).getCount()).isEqualTo(1);
    assertThat(unexpectedAnswers()).isZero();
  }

  @Test
  void unknownFieldsAtEveryLevelAreIgnored() throws Exception {
    TelegramBotApi api = client();
    fake.addUpdate(FakeTelegramBotApi.updateWithUnknownFields(30, 42, "/status"));

    List<IncomingUpdate> updates = api.getUpdates(0, Duration.ofSeconds(1), List.of("message"));

    assertThat(updates).singleElement().matches(IncomingUpdate::understood);
    var message = updates.get(0).update().getMessage();
    assertThat(message.getChatId()).isEqualTo(42L);
    assertThat(message.getEntities())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getType()).isEqualTo("bot_command");
              assertThat(e.getLength()).isEqualTo(7);
            });
    assertThat(message.getFrom().getUserName()).isEqualTo("user42");
    assertThat(message.getText()).isEqualTo("/status");
  }

  @Test
  void aMessageWithoutAChatIsNotUnderstood() throws Exception {
    TelegramBotApi api = client();
    var update = FakeTelegramBotApi.textUpdate(40, 42, "hi");
    ((com.fasterxml.jackson.databind.node.ObjectNode) update.path("message")).remove("chat");

    assertThat(api.readUpdate(update))
        .hasValueSatisfying(u -> assertThat(u.problem()).contains("message.chat"));
    assertThat(api.readUpdate(new ObjectMapper().readTree("{\"update_id\":\"41\"}"))).isEmpty();
    assertThat(api.readUpdate(new ObjectMapper().readTree("[1,2]"))).isEmpty();
  }

  @Test
  void getUpdatesWhoseResultIsNoArrayIsAnUnexpectedAnswer() throws Exception {
    TelegramBotApi api = client();
    fake.answerNextRaw("getUpdates", "{\"ok\":true,\"result\":{\"update_id\":1}}");
    assertThatThrownBy(() -> api.getUpdates(0, Duration.ZERO, List.of("message")))
        .isInstanceOf(TelegramUnexpectedAnswerException.class)
        .hasMessageContaining("getUpdates");

    fake.answerNextRaw("getUpdates", "{\"ok\":true,\"result\":[{\"id\":1},{\"id\":2}]}");
    assertThatThrownBy(() -> api.getUpdates(0, Duration.ZERO, List.of("message")))
        .isInstanceOf(TelegramUnexpectedAnswerException.class)
        .hasMessageContaining("update_id");
    assertThat(unexpectedAnswers()).isEqualTo(2);
    assertThat(waits).as("never retried").isEmpty();
  }

  @Test
  void malformedSendMessageAnswersAreClearFailuresNotRetried() throws Exception {
    TelegramBotApi api = client();
    fake.answerNextRaw("sendMessage", "{\"ok\":true,\"result\":\"surprise\"}");
    assertThatThrownBy(() -> api.sendMessage(42, "hi", null))
        .isInstanceOfSatisfying(
            TelegramUnexpectedAnswerException.class,
            e -> {
              assertThat(e.accepted()).isTrue();
              assertThat(e.retryable()).isFalse();
              assertThat(e.method()).isEqualTo("sendMessage");
              assertThat(e.getMessage()).contains("result is not a message");
            });

    fake.answerNextRaw("sendMessage", "<html>gateway</html>");
    assertThatThrownBy(() -> api.sendMessage(42, "hi", null))
        .isInstanceOfSatisfying(
            TelegramUnexpectedAnswerException.class,
            e -> {
              assertThat(e.accepted()).isFalse();
              assertThat(e.errorCode()).isEqualTo(200);
              assertThat(e.getMessage()).doesNotContain("secret-token-abc");
            });

    fake.answerNextRaw("sendMessage", "{\"ok\":true,\"result\":{\"message_id\":\"x\"}}");
    assertThatThrownBy(() -> api.sendMessage(42, "hi", null))
        .isInstanceOf(TelegramUnexpectedAnswerException.class);

    assertThat(fake.calls("sendMessage")).as("each tried once").isEqualTo(3);
    assertThat(waits).isEmpty();
    assertThat(unexpectedAnswers()).isEqualTo(3);
    assertThat(api.sendMessage(42, "after", null)).as("the next call is fine").isEqualTo(1);
    assertThat(fake.sent()).extracting(FakeTelegramBotApi.Sent::text).containsExactly("after");
  }

  @Test
  void getMeNamesTheBotAndRejectsOddAnswers() throws Exception {
    TelegramBotApi api = client();
    assertThat(api.getMe()).isEqualTo(new BotUser(123456, "clawhive_test_bot"));

    fake.answerNextRaw("getMe", "{\"ok\":true,\"result\":{\"id\":\"me\",\"is_bot\":true}}");
    assertThatThrownBy(api::getMe)
        .isInstanceOf(TelegramUnexpectedAnswerException.class)
        .hasMessageContaining("getMe");
    fake.answerNextRaw("getMe", "{\"ok\":true}");
    assertThatThrownBy(api::getMe).isInstanceOf(TelegramUnexpectedAnswerException.class);
    fake.answerNextRaw("getMe", "[]");
    assertThatThrownBy(api::getMe)
        .isInstanceOfSatisfying(
            TelegramUnexpectedAnswerException.class, e -> assertThat(e.accepted()).isFalse());
    assertThat(unexpectedAnswers()).isEqualTo(3);
  }

  @Test
  void malformedWebhookAnswersAreClearFailures() throws Exception {
    TelegramBotApi api = client();
    fake.answerNextRaw("setWebhook", "{\"ok\":true,\"result\":{\"weird\":1}}");
    assertThatThrownBy(() -> api.setWebhook("https://example.test/hook", "s", List.of(), 1))
        .isInstanceOfSatisfying(
            TelegramUnexpectedAnswerException.class,
            e -> {
              assertThat(e.accepted()).isTrue();
              assertThat(e.getMessage()).contains("setWebhook").contains("result is not true");
            });
    fake.answerNextRaw("setWebhook", "{\"result\":true}");
    assertThatThrownBy(() -> api.setWebhook("https://example.test/hook", "s", List.of(), 1))
        .isInstanceOfSatisfying(
            TelegramUnexpectedAnswerException.class, e -> assertThat(e.accepted()).isFalse());
    fake.answerNextRaw("deleteWebhook", "{\"ok\":true,\"result\":\"yes\"}");
    assertThatThrownBy(api::deleteWebhook).isInstanceOf(TelegramUnexpectedAnswerException.class);
    fake.answerNextRaw("sendChatAction", "{\"ok\":true,\"result\":null}");
    assertThatThrownBy(() -> api.sendTyping(1))
        .isInstanceOf(TelegramUnexpectedAnswerException.class);
    assertThat(unexpectedAnswers()).isEqualTo(4);
    assertThat(fake.calls("setWebhook")).isEqualTo(2);
  }

  @Test
  void sendDocumentUploadsTheFileAsMultipartAndHonours429() throws Exception {
    TelegramBotApi api = client();
    fake.rateLimitNext("sendDocument", 1, 3);
    String text =
        "# Answer\n\ncaf\u00e9 \ud83d\ude00 --clawhive-boundary-lookalike\r\n"
            + "x".repeat(100_000);

    api.sendDocument(42, "answer.md", text.getBytes(StandardCharsets.UTF_8), "the whole answer", 9);

    assertThat(waits).containsExactly(Duration.ofSeconds(3));
    assertThat(fake.calls("sendDocument")).isEqualTo(2);
    assertThat(fake.documentsTo(42))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.fileName()).isEqualTo("answer.md");
              assertThat(d.contentType()).isEqualTo("text/markdown");
              assertThat(d.text()).isEqualTo(text);
              assertThat(d.caption()).isEqualTo("the whole answer");
              assertThat(d.replyTo()).isEqualTo(9);
            });
  }

  @Test
  void aRefusedDocumentIsAClearFailure() throws Exception {
    TelegramBotApi api = client();
    fake.failNext("sendDocument", 1, 400);

    assertThatThrownBy(() -> api.sendDocument(42, "answer.md", new byte[] {1}, null, null))
        .isInstanceOfSatisfying(
            TelegramApiException.class, e -> assertThat(e.retryable()).isFalse());
    assertThat(fake.documents()).isEmpty();
  }
}
