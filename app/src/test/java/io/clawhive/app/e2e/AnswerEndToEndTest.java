package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.UpdateAnswerDao;
import io.clawhive.core.storage.UpdateStatus;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.standin.StandInGateway;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The answer path through one whole node (api + worker from config.yml, the node's fleet running a
 * stand-in gateway process per tenant, the fake Bot API over HTTP; embedded broker and H2, or
 * RabbitMQ / PostgreSQL when configured): a runaway 8 MB answer, and a dead-lettered message
 * replayed through the admin API that reaches the user exactly once.
 */
@Tag("infra")
class AnswerEndToEndTest {
  private static final Duration REPLY = Duration.ofSeconds(60);
  private static final int EIGHT_MB = 8 * 1024 * 1024;

  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();
  private FakeTelegramBotApi telegram;
  private E2eNode node;

  @BeforeEach
  void startFakeTelegram() throws Exception {
    telegram = new FakeTelegramBotApi(E2eNode.BOT_TOKEN);
    node =
        new E2eNode(dir, "api,worker")
            .standIns(StandIn.program(), 0)
            .telegram(telegram.baseUrl(), "polling")
            .start();
    node.purgeSharedDeadLetters();
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
  void anEightMegabyteAnswerReachesTheUserAsOneMessagePlusADocumentAndTheNextUserIsAnswered()
      throws Exception {
    telegram.addUpdate(
        FakeTelegramBotApi.textUpdate(600, 7601, StandInGateway.LONG_ANSWER + EIGHT_MB));
    await().atMost(REPLY).until(() -> telegram.documentsTo(7601).size() == 1);
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(601, 7602, "next user"));
    await().atMost(REPLY).until(() -> telegram.sentTo(7602).size() == 1);

    assertThat(telegram.sentTo(7602).get(0).text()).isEqualTo("echo: next user (turn 1)");
    assertThat(telegram.sentTo(7601)).as("the first part only").hasSize(1);
    FakeTelegramBotApi.Document document = telegram.documentsTo(7601).get(0);
    assertThat(document.fileName()).isEqualTo("answer.md");
    assertThat(document.text())
        .startsWith(telegram.sentTo(7601).get(0).text())
        .contains("was cut here");
    assertThat(document.text().length()).isLessThan(1_100_000);
    JsonNode metrics =
        json.readTree(RawHttp.send(node.adminPort(), "GET", "/metrics", null, null).body());
    assertThat(metrics.at("/meters/messages.answer.documents/count").asLong()).isEqualTo(1);
    assertThat(metrics.at("/meters/messages.answer.cut/count").asLong()).isEqualTo(1);
    System.gc();
    System.out.printf(
        "8 MiB answer through the node: %d message + %d document (%,d chars); node heap after GC"
            + " %,d KiB%n",
        telegram.sentTo(7601).size(),
        telegram.documentsTo(7601).size(),
        document.text().length(),
        ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024);
  }

  /**
   * Every sendMessage fails for a while: the agent answers once (the answer is stored), the three
   * attempts cannot deliver it, the update is FAILED and the task dead-lettered. Replayed through
   * the admin API, the stored answer reaches the user exactly once, and the agent was not asked
   * again (the stand-in counts turns: the replayed answer still says turn 2).
   */
  @Test
  void aReplayedDeadLetterIsAnsweredExactlyOnceWithTheStoredAnswer() throws Exception {
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(500, 7501, "hello first"));
    await().atMost(REPLY).until(() -> telegram.sentTo(7501).size() == 1);
    // three attempts to send the answer, then the failure notice: all refused
    telegram.failNext("sendMessage", 4, 400);

    telegram.addUpdate(FakeTelegramBotApi.textUpdate(501, 7501, "answer me once"));
    await().atMost(REPLY).until(() -> status(501) == UpdateStatus.FAILED);
    await().atMost(REPLY).until(() -> deadLetters() == 1);
    assertThat(telegram.sentTo(7501)).hasSize(1);
    assertThat(node.storage().dao(UpdateAnswerDao.class).find(501))
        .as("stored before the first send")
        .hasValueSatisfying(a -> assertThat(a.answer()).isEqualTo("echo: answer me once (turn 2)"));

    RawHttp.Answer replay =
        RawHttp.send(
            node.adminPort(),
            "POST",
            "/api/v1/dead-letters/replay",
            "Bearer " + E2eNode.ADMIN_TOKEN,
            "");
    assertThat(replay.status()).isEqualTo(200);
    assertThat(json.readTree(replay.body()).path("replayed").asInt()).isEqualTo(1);

    await().atMost(REPLY).until(() -> status(501) == UpdateStatus.ANSWERED);
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(502, 7501, "and after"));
    await().atMost(REPLY).until(() -> status(502) == UpdateStatus.ANSWERED);
    assertThat(telegram.sentTo(7501))
        .extracting(Sent::text)
        .containsExactly(
            "echo: hello first (turn 1)",
            "echo: answer me once (turn 2)",
            "echo: and after (turn 3)");
    assertThat(deadLetters()).isZero();
    assertThat(node.storage().dao(UpdateAnswerDao.class).find(501)).isEmpty();
  }

  private long deadLetters() throws Exception {
    RawHttp.Answer answer =
        RawHttp.send(
            node.adminPort(), "GET", "/api/v1/dead-letters", "Bearer " + E2eNode.ADMIN_TOKEN, null);
    return json.readTree(answer.body()).path("total").asLong();
  }

  private UpdateStatus status(long updateId) {
    return node.storage()
        .dao(ProcessedUpdateDao.class)
        .findById(updateId)
        .map(u -> u.status())
        .orElse(null);
  }
}
