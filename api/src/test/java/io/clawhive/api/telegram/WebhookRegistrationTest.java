package io.clawhive.api.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.TelegramApiException;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.core.telegram.TelegramUnexpectedAnswerException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookRegistrationTest {
  private static final String TOKEN = "88:registration-token";

  private FakeTelegramBotApi fake;
  private WebhookRegistration registration;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeTelegramBotApi(TOKEN);
    registration =
        new WebhookRegistration(
            new TelegramBotApi(fake.baseUrl(), TOKEN), "https://bot.example/hook", "s3cret", 10);
  }

  @AfterEach
  void stop() throws Exception {
    fake.close();
  }

  @Test
  void anOddAnswerTelegramMarkedOkStillCountsAsRegistered() {
    fake.answerNextRaw("setWebhook", "{\"ok\":true,\"result\":{\"set\":\"yes\"}}");
    registration.start();
    assertThat(fake.calls("setWebhook")).as("not repeated").isEqualTo(1);
  }

  @Test
  void anAnswerThatIsNoBotApiAnswerOrARefusalStopsTheStart() {
    fake.answerNextRaw("setWebhook", "not json");
    assertThatThrownBy(registration::start)
        .isInstanceOf(TelegramUnexpectedAnswerException.class)
        .hasMessageContaining("setWebhook");
    fake.failNext("setWebhook", 1, 400);
    assertThatThrownBy(registration::start)
        .isInstanceOfSatisfying(
            TelegramApiException.class, e -> assertThat(e.errorCode()).isEqualTo(400));
    registration.start();
    assertThat(fake.webhookCalls()).singleElement();
  }
}
