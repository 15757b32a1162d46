package io.clawhive.worker.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.core.telegram.TelegramUnexpectedAnswerException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TelegramReplierTest {
  private static final String TOKEN = "77:replier-token";

  private FakeTelegramBotApi fake;
  private TelegramReplier replier;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeTelegramBotApi(TOKEN);
    replier = new TelegramReplier(new TelegramBotApi(fake.baseUrl(), TOKEN), 42, 5);
  }

  @AfterEach
  void stop() throws Exception {
    fake.close();
  }

  @Test
  void anOddAnswerToAnAcceptedMessageCountsAsSentAndTheRestStillGoesOut() {
    fake.answerNextRaw("sendMessage", "{\"ok\":true,\"result\":[]}");
    String first = "a".repeat(4000);
    String second = "b".repeat(100);

    replier.answer(first + "\n\n" + second);

    assertThat(fake.calls("sendMessage")).as("both pieces, each once").isEqualTo(2);
    assertThat(fake.sent()).extracting(FakeTelegramBotApi.Sent::text).containsExactly(second);
  }

  @Test
  void anAnswerThatIsNotABotApiAnswerFailsTheReplySoTheTaskIsRetried() {
    fake.answerNextRaw("sendMessage", "<html>proxy error</html>");

    assertThatThrownBy(() -> replier.failure("sorry"))
        .isInstanceOfSatisfying(
            TelegramUnexpectedAnswerException.class, e -> assertThat(e.accepted()).isFalse());
    assertThat(fake.calls("sendMessage")).isEqualTo(1);
  }
}
