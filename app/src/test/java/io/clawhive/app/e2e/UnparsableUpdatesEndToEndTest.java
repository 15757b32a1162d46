package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clawhive.core.storage.IgnoredUpdate;
import io.clawhive.core.storage.ProcessedUpdate;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.TelegramOffsetDao;
import io.clawhive.core.storage.UpdateStatus;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.worker.standin.StandIn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An update the client cannot understand (here {@code chat.id} and {@code date} are words) never
 * stops the bot: in polling mode the updates around it are answered and the offset moves past it,
 * in webhook mode it is answered 200; either way it is recorded as IGNORED with its reason and
 * JSON, listed by the admin API and counted on the admin port. One whole node (api and worker, a
 * stand-in gateway, no warm pool) against the fake Bot API.
 */
@Tag("infra")
class UnparsableUpdatesEndToEndTest {
  private static final Duration REPLY = Duration.ofSeconds(60);
  private static final String METRIC = "telegram.updates.unparsable";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private FakeTelegramBotApi telegram;
  private E2eNode node;

  @BeforeEach
  void startFakeTelegram() throws Exception {
    telegram = new FakeTelegramBotApi(E2eNode.BOT_TOKEN);
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
  void pollingAnswersTheUpdatesAroundAnUnparsableOneAndMovesPastIt() throws Exception {
    node = start("polling");
    // queued under the fake's monitor, so that one getUpdates returns all three
    synchronized (telegram) {
      telegram.addUpdate(FakeTelegramBotApi.textUpdate(301, 6001, "before"));
      telegram.addUpdate(FakeTelegramBotApi.unparsableUpdate(302, 6002, "odd"));
      telegram.addUpdate(FakeTelegramBotApi.textUpdate(303, 6003, "after"));
    }

    await().atMost(REPLY).until(() -> telegram.sentTo(6001).size() == 1);
    await().atMost(REPLY).until(() -> telegram.sentTo(6003).size() == 1);
    assertThat(telegram.sentTo(6001))
        .extracting(Sent::text)
        .containsExactly("echo: before (turn 1)");
    assertThat(telegram.sentTo(6003))
        .extracting(Sent::text)
        .containsExactly("echo: after (turn 1)");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> offsets().findNextOffset("424242").orElse(0L) == 304L);
    await().atMost(Duration.ofSeconds(5)).until(() -> telegram.pendingUpdates() == 0);
    assertThat(telegram.sent()).extracting(Sent::chatId).doesNotContain(6002L);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> status(301) == UpdateStatus.ANSWERED && status(303) == UpdateStatus.ANSWERED);
    assertRecordedAsUnparsable(302, "chat-6002");
    assertThat(ignoredViaAdminApi()).singleElement().satisfies(v -> assertView(v, 302));
    assertThat(unparsableCount()).isEqualTo(1);

    // a message with fields no Bot API version has, at every level, is answered normally
    telegram.addUpdate(FakeTelegramBotApi.updateWithUnknownFields(304, 6004, "/help"));
    await().atMost(REPLY).until(() -> telegram.sentTo(6004).size() == 1);
    assertThat(telegram.sentTo(6004).get(0).text()).startsWith("I connect you to your own");
    await().atMost(Duration.ofSeconds(10)).until(() -> status(304) == UpdateStatus.ANSWERED);
    assertThat(unparsableCount()).isEqualTo(1);
  }

  @Test
  void theWebhookAcceptsAnUnparsableUpdateButRefusesABodyWithoutUpdateId() throws Exception {
    node = start("webhook");
    String odd = FakeTelegramBotApi.unparsableUpdate(401, 7001, "odd").toString();

    HttpResponse<String> first = webhook(odd);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
    assertThat(json.readTree(first.body()).path("outcome").asText()).isEqualTo("IGNORED");
    assertThat(json.readTree(webhook(odd).body()).path("outcome").asText())
        .as("Telegram's retry")
        .isEqualTo("DUPLICATE");
    assertRecordedAsUnparsable(401, "chat-7001");
    assertThat(unparsableCount()).as("counted once").isEqualTo(1);

    ObjectNode noId = FakeTelegramBotApi.textUpdate(402, 7001, "no id");
    noId.remove("update_id");
    assertThat(webhook(noId.toString()).statusCode()).isEqualTo(400);
    noId.put("update_id", "402");
    assertThat(webhook(noId.toString()).statusCode()).isEqualTo(400);
    assertThat(node.storage().dao(ProcessedUpdateDao.class).findById(402)).isEmpty();

    String unknownFields =
        FakeTelegramBotApi.updateWithUnknownFields(403, 7003, "/help").toString();
    assertThat(webhook(unknownFields).statusCode()).isEqualTo(200);
    await().atMost(REPLY).until(() -> telegram.sentTo(7003).size() == 1);
    assertThat(telegram.sentTo(7001)).isEmpty();
    assertThat(ignoredViaAdminApi()).singleElement().satisfies(v -> assertView(v, 401));
  }

  private E2eNode start(String mode) throws Exception {
    return new E2eNode(dir, "api,worker")
        .standIns(StandIn.program(), 0)
        .telegram(telegram.baseUrl(), mode)
        .start();
  }

  private void assertRecordedAsUnparsable(long updateId, String oddChatId) {
    ProcessedUpdateDao updates = node.storage().dao(ProcessedUpdateDao.class);
    assertThat(updates.findById(updateId))
        .get()
        .extracting(ProcessedUpdate::status)
        .isEqualTo(UpdateStatus.IGNORED);
    List<IgnoredUpdate> unparsable = updates.listUnparsable(10);
    assertThat(unparsable).extracting(IgnoredUpdate::updateId).containsExactly(updateId);
    IgnoredUpdate row = unparsable.get(0);
    assertThat(row.reason()).startsWith("message.").contains("date");
    assertThat(row.rawUpdate()).contains("\"update_id\":" + updateId).contains(oddChatId);
    assertThat(row.receivedAt()).isNotNull();
  }

  private static void assertView(JsonNode view, long updateId) {
    assertThat(view.path("updateId").asLong()).isEqualTo(updateId);
    assertThat(view.path("reason").asText()).startsWith("message.");
    assertThat(view.path("raw").asText()).contains("\"update_id\":" + updateId);
    assertThat(view.path("receivedAt").isMissingNode()).isFalse();
  }

  private JsonNode ignoredViaAdminApi() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(node.adminUrl("/api/v1/updates/ignored?unparsable=true&limit=10")))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + E2eNode.ADMIN_TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }

  private long unparsableCount() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return json.readTree(response.body()).path("counters").path(METRIC).path("count").asLong(-1);
  }

  private HttpResponse<String> webhook(String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(node.appUrl("/telegram/webhook")))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .header("X-Telegram-Bot-Api-Secret-Token", E2eNode.WEBHOOK_SECRET)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private TelegramOffsetDao offsets() {
    return node.storage().dao(TelegramOffsetDao.class);
  }

  private UpdateStatus status(long updateId) {
    return node.storage()
        .dao(ProcessedUpdateDao.class)
        .findById(updateId)
        .map(ProcessedUpdate::status)
        .orElse(null);
  }
}
