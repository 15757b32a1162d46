package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.TelegramOffsetDao;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.core.storage.UpdateStatus;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.standin.StandIn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telegram in, answers out, through one whole node: roles api and worker (plus scheduler in the
 * first test) started from config.yml on free ports, embedded broker and H2 (RabbitMQ / PostgreSQL
 * when CLAWHIVE_TEST_AMQP_URI / CLAWHIVE_TEST_DB_URL are set), the node's own worker fleet running
 * a stand-in gateway (a real child process) per instance as its {@code worker.gatewayCommand}, and
 * a fake Bot API server on loopback. Nothing is hand-wired: instances are claimed from the node's
 * warm pool or provisioned by its fleet, and their rows are read back from storage.
 *
 * <p>At most six stand-in processes run at once (pool of one plus five tenants in the ordering
 * test). The 200-tenant load test is {@link SharedStandInLoadTest}.
 *
 * <p>Isolation: as root the worker sandboxes every stand-in (own system user with prefix {@value
 * E2eNode#USER_PREFIX}, network namespace, bubblewrap; all removed again by {@link E2eNode#close}),
 * else mode {@code none}.
 */
@Tag("infra")
class TelegramEndToEndTest {
  private static final Duration REPLY = Duration.ofSeconds(60);
  private static final String ECHO_FORMAT = "echo: %s (turn %d)";

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
  void firstMessagesClaimPoolInstancesAndAreAnsweredByTheTenantsGateway() throws Exception {
    node =
        new E2eNode(dir, "api,worker,scheduler")
            .standIns(StandIn.program(), 1)
            .telegram(telegram.baseUrl(), "polling")
            .start();
    Instance pooled = awaitPool(1).get(0);
    Instant sentAt = Instant.now();

    telegram.addUpdate(FakeTelegramBotApi.textUpdate(1, 1001, "hello"));
    await().atMost(REPLY).until(() -> telegram.sentTo(1001).size() == 1);
    Sent reply = telegram.sentTo(1001).get(0);
    assertThat(reply.text()).isEqualTo(echo("hello", 1));
    assertThat(reply.replyTo()).isEqualTo(1);
    assertThat(telegram.actions()).contains(new FakeTelegramBotApi.Action(1001, "typing"));
    Instance first = instanceOf(1001);
    assertThat(first.id()).as("the tenant got the pool instance").isEqualTo(pooled.id());
    assertThat(first.createdAt()).as("created before the message").isBefore(sentAt);
    assertThat(first.actualState()).isEqualTo(InstanceState.RUNNING);
    assertThat(first.workerNode()).isEqualTo(node.nodeId);
    assertThat(first.pid()).isEqualTo(pooled.pid());
    assertAlive(first.pid());
    assertThat(node.storage().dao(TenantDao.class).findById(1001))
        .hasValueSatisfying(t -> assertThat(t.status()).isEqualTo(TenantStatus.ACTIVE));
    await().atMost(Duration.ofSeconds(10)).until(() -> status(1) == UpdateStatus.ANSWERED);
    assertThat(node.storage().dao(TelegramOffsetDao.class).findNextOffset("424242")).contains(2L);

    // the pool refills; the second tenant gets an instance of its own
    Instance refill = awaitPool(1).get(0);
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(2, 1002, "second tenant"));
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(3, 1001, "again"));
    await().atMost(REPLY).until(() -> telegram.sentTo(1002).size() == 1);
    await().atMost(REPLY).until(() -> telegram.sentTo(1001).size() == 2);
    assertThat(telegram.sentTo(1002).get(0).text()).isEqualTo(echo("second tenant", 1));
    assertThat(telegram.sentTo(1001).get(1).text()).isEqualTo(echo("again", 2));
    Instance second = instanceOf(1002);
    assertThat(second.id()).isEqualTo(refill.id()).isNotEqualTo(first.id());
    assertThat(second.port()).isNotEqualTo(first.port());
    assertThat(second.pid()).isNotEqualTo(first.pid());
    assertThat(second.actualState()).isEqualTo(InstanceState.RUNNING);
  }

  @Test
  void restartGivesTheTenantANewGatewayProcessThatStillAnswers() throws Exception {
    node = pollingNode(0);
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(10, 1101, "before"));
    await().atMost(REPLY).until(() -> telegram.sentTo(1101).size() == 1);
    Instance before = instanceOf(1101);
    assertThat(before.pid()).isNotNull();

    telegram.addUpdate(FakeTelegramBotApi.textUpdate(11, 1101, "/restart"));
    await().atMost(REPLY).until(() -> telegram.sentTo(1101).size() == 2);
    assertThat(telegram.sentTo(1101).get(1).text()).startsWith("Restarting your agent");
    await()
        .atMost(REPLY)
        .until(
            () -> {
              Instance now = instanceOf(1101);
              return now.actualState() == InstanceState.RUNNING
                  && now.pid() != null
                  && !now.pid().equals(before.pid());
            });
    Instance after = instanceOf(1101);
    assertThat(after.id()).isEqualTo(before.id());
    assertThat(after.restartCount()).isGreaterThan(before.restartCount());
    assertAlive(after.pid());
    assertThat(ProcessHandle.of(before.pid()).map(ProcessHandle::isAlive))
        .isNotEqualTo(Optional.of(true));

    telegram.addUpdate(FakeTelegramBotApi.textUpdate(12, 1101, "after"));
    await().atMost(REPLY).until(() -> telegram.sentTo(1101).size() == 3);
    // a new stand-in process starts counting turns afresh (real openclaw keeps its sessions)
    assertThat(telegram.sentTo(1101).get(2).text()).isEqualTo(echo("after", 1));
  }

  @Test
  void aRetriedWebhookUpdateIsAnsweredOnce() throws Exception {
    node =
        new E2eNode(dir, "api,worker")
            .standIns(StandIn.program(), 0)
            .telegram(telegram.baseUrl(), "webhook")
            .start();
    assertThat(telegram.webhookCalls())
        .anySatisfy(
            call -> {
              assertThat(call.path("method").asText()).isEqualTo("setWebhook");
              assertThat(call.path("params").path("secret_token").asText())
                  .isEqualTo(E2eNode.WEBHOOK_SECRET);
            });
    String update = FakeTelegramBotApi.textUpdate(7, 2002, "once").toString();

    assertThat(webhook(update, E2eNode.WEBHOOK_SECRET).statusCode()).isEqualTo(200);
    assertThat(webhook(update, E2eNode.WEBHOOK_SECRET).statusCode()).isEqualTo(200);
    await().atMost(REPLY).until(() -> telegram.sentTo(2002).size() == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> status(7) == UpdateStatus.ANSWERED);
    assertThat(webhook(update, E2eNode.WEBHOOK_SECRET).statusCode()).isEqualTo(200);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> telegram.sentTo(2002).size() == 1);
    assertThat(telegram.sentTo(2002).get(0).text()).isEqualTo(echo("once", 1));
    assertThat(node.instances())
        .singleElement()
        .satisfies(i -> assertThat(i.tenantId()).isEqualTo(2002L));
  }

  @Test
  void severalTenantsEachGetEveryMessageAnsweredOnceAndInOrder() throws Exception {
    int tenants = 5;
    int messages = 5;
    node = pollingNode(1);
    awaitPool(1);
    int updateId = 100;
    for (int m = 0; m < messages; m++) {
      for (int t = 0; t < tenants; t++) {
        telegram.addUpdate(FakeTelegramBotApi.textUpdate(updateId++, 5000 + t, "m" + m));
      }
    }
    int expected = tenants * messages;
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> telegram.sent().size() >= expected);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> telegram.sent().size() == expected);
    for (int t = 0; t < tenants; t++) {
      List<String> wanted =
          IntStream.range(0, messages).mapToObj(m -> echo("m" + m, m + 1)).toList();
      assertThat(telegram.sentTo(5000 + t))
          .extracting(Sent::text)
          .as("replies of tenant %d", 5000 + t)
          .containsExactlyElementsOf(wanted);
    }
    assertThat(node.instances().stream().filter(i -> i.tenantId() != null).map(Instance::id))
        .hasSize(tenants)
        .doesNotHaveDuplicates();
    // the worker records ANSWERED right after sendMessage returns, so wait for the last marks
    int last = updateId;
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (int id = 100; id < last; id++) {
                assertThat(status(id)).as("update %d", id).isEqualTo(UpdateStatus.ANSWERED);
              }
            });
  }

  @Test
  void theWebhookRefusesWhatItCannotTrustAndQueuesNothing() throws Exception {
    node =
        new E2eNode(dir, "api,worker")
            .standIns(StandIn.program(), 0)
            .telegram(telegram.baseUrl(), "webhook")
            .start();
    String secret = E2eNode.WEBHOOK_SECRET;
    String good = FakeTelegramBotApi.textUpdate(8, 3003, "hi").toString();
    assertThat(webhook(good, null).statusCode()).isEqualTo(401);
    assertThat(webhook(good, "wrong-secret").statusCode()).isEqualTo(401);
    assertThat(webhook("{not json", secret).statusCode()).isEqualTo(400);
    assertThat(webhook("[1,2]", secret).statusCode()).isEqualTo(400);
    assertThat(
            webhook("{\"update_id\":9,\"message\":" + "x".repeat(300_000) + "}", secret)
                .statusCode())
        .isEqualTo(413);

    ObjectNode edit = json.createObjectNode().put("update_id", 10);
    edit.set("edited_message", FakeTelegramBotApi.textUpdate(10, 3003, "edit").get("message"));
    assertThat(outcome(webhook(edit.toString(), secret))).isEqualTo("IGNORED");
    ObjectNode callback = json.createObjectNode().put("update_id", 11);
    callback
        .putObject("callback_query")
        .put("id", "cb")
        .put("data", "x")
        .putObject("from")
        .put("id", 3003)
        .put("is_bot", false)
        .put("first_name", "U");
    assertThat(outcome(webhook(callback.toString(), secret))).isEqualTo("IGNORED");
    ObjectNode group = FakeTelegramBotApi.textUpdate(12, 3003, "in a group");
    ((ObjectNode) group.path("message").path("chat")).put("id", -100).put("type", "group");
    assertThat(outcome(webhook(group.toString(), secret))).isEqualTo("IGNORED");
    ObjectNode sticker = FakeTelegramBotApi.textUpdate(13, 3003, "x");
    ((ObjectNode) sticker.path("message")).remove("text");
    ((ObjectNode) sticker.path("message"))
        .putObject("sticker")
        .put("file_id", "f")
        .put("file_unique_id", "u")
        .put("type", "regular")
        .put("width", 1)
        .put("height", 1)
        .put("is_animated", false)
        .put("is_video", false);
    assertThat(outcome(webhook(sticker.toString(), secret))).isEqualTo("REPLIED");

    // the notice goes out after the webhook answered, on the notice sender's thread
    await().atMost(REPLY).until(() -> !telegram.sentTo(3003).isEmpty());
    assertThat(telegram.sentTo(3003))
        .extracting(Sent::text)
        .containsExactly(
            "Sorry, I can only read text messages for now. Please write your"
                + " request as text.");
    assertThat(node.storage().dao(TenantDao.class).findById(3003)).isEmpty();
    assertThat(node.storage().dao(ProcessedUpdateDao.class).findById(8)).isEmpty();
    assertThat(node.instances()).isEmpty();
    assertThat(telegram.calls("sendChatAction")).isZero();
    HttpResponse<String> health =
        get("http://127.0.0.1:" + node.adminPort() + "/healthcheck", null);
    assertThat(health.statusCode()).isEqualTo(200);
  }

  @Test
  void aRateLimitStormDelaysRepliesButKeepsThemInOrder() throws Exception {
    node = pollingNode(0);
    telegram.rateLimitNext("sendMessage", 4, 1);
    for (int i = 0; i < 3; i++) {
      telegram.addUpdate(FakeTelegramBotApi.textUpdate(200 + i, 4004, "n" + i));
    }
    await().atMost(REPLY).until(() -> telegram.sentTo(4004).size() == 3);
    assertThat(telegram.sentTo(4004))
        .extracting(Sent::text)
        .containsExactly(echo("n0", 1), echo("n1", 2), echo("n2", 3));
    assertThat(telegram.calls("sendMessage")).isGreaterThanOrEqualTo(7);
  }

  @Test
  void aLongAnswerIsSplitAtParagraphs() throws Exception {
    node = pollingNode(0);
    String first = "a".repeat(3000);
    String second = "b".repeat(3000);
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(300, 6006, first + "\n\n" + second));
    await().atMost(REPLY).until(() -> telegram.sentTo(6006).size() == 2);
    assertThat(telegram.sentTo(6006))
        .extracting(Sent::text)
        .containsExactly("echo: " + first, second + " (turn 1)");
  }

  /**
   * The tenant's gateway is broken for good: its config is edited so the stand-in exits 78 (the
   * OpenClaw config-error code) and /restart brings that on, so the worker marks the instance
   * FAILED (logging the one expected ERROR: a person must act). The next message is tried the
   * configured 3 times; then the user gets one failure message and ops see a dead letter.
   */
  @Test
  void afterTheLastAttemptTheUserGetsOneFailureMessageAndOpsSeeADeadLetter() throws Exception {
    node = pollingNode(0).allowError("FAILED: gateway exited with code 78");
    node.purgeSharedDeadLetters();
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(400, 7007, "fine"));
    await().atMost(REPLY).until(() -> telegram.sentTo(7007).size() == 1);
    Instance instance = instanceOf(7007);
    breakConfig(InstanceLayout.of(node.instancesDir, instance.id()).configFile());
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(401, 7007, "/restart"));
    await().atMost(REPLY).until(() -> instanceOf(7007).actualState() == InstanceState.FAILED);
    int before = telegram.sentTo(7007).size();

    telegram.addUpdate(FakeTelegramBotApi.textUpdate(402, 7007, "doomed"));
    await().atMost(REPLY).until(() -> status(402) == UpdateStatus.FAILED);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> telegram.sentTo(7007).size() == before + 1);
    assertThat(telegram.sentTo(7007).get(before).text())
        .startsWith("Sorry, your agent could not answer");
    HttpResponse<String> letters = get(node.adminUrl("/api/v1/dead-letters"), E2eNode.ADMIN_TOKEN);
    assertThat(letters.statusCode()).isEqualTo(200);
    JsonNode list = json.readTree(letters.body());
    assertThat(list.path("total").asLong()).isEqualTo(1);
    assertThat(list.path("letters").get(0).path("taskType").asText()).isEqualTo("route_message");
    assertThat(list.path("letters").get(0).path("reason").asText()).contains("3 attempt(s)");
  }

  @Test
  void chatOverHttpCommandsAndReset() throws Exception {
    node = pollingNode(0);
    assertThat(message(8008, "hi").body()).contains(echo("hi", 1));
    assertThat(message(8008, "there").body()).contains(echo("there", 2));
    assertThat(message(8008, "/status").body()).contains("running and ready");
    assertThat(message(8008, "/reset").body()).contains("fresh conversation");
    assertThat(message(8008, "after reset").body()).contains(echo("after reset", 1));
    long pid = instanceOf(8008).pid();
    assertThat(message(8008, "/restart").body()).contains("Restarting");
    await()
        .atMost(REPLY)
        .until(
            () ->
                instanceOf(8008).actualState() == InstanceState.RUNNING
                    && !Long.valueOf(pid).equals(instanceOf(8008).pid()));
    assertThat(message(8008, "/help").body()).contains("/reset");
    HttpResponse<String> unauthorized =
        http.send(
            HttpRequest.newBuilder(URI.create(node.adminUrl("/api/v1/instances/8008/messages")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"x\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(unauthorized.statusCode()).isEqualTo(401);
  }

  @Test
  void chatOverHttpWorksWithoutABotToken() throws Exception {
    node = new E2eNode(dir, "api,worker").standIns(StandIn.program(), 0).start();
    HttpResponse<String> reply = message(9009, "no bot");
    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(json.readTree(reply.body()).path("reply").asText()).isEqualTo(echo("no bot", 1));
    assertThat(instanceOf(9009).actualState()).isEqualTo(InstanceState.RUNNING);
    assertThat(telegram.calls("sendMessage")).isZero();
  }

  // ---- helpers ---------------------------------------------------------------------------

  private E2eNode pollingNode(int poolSize) throws Exception {
    return new E2eNode(dir, "api,worker")
        .standIns(StandIn.program(), poolSize)
        .telegram(telegram.baseUrl(), "polling")
        .start();
  }

  private static String echo(String text, int turn) {
    return String.format(ECHO_FORMAT, text, turn);
  }

  /** Waits until the pool holds {@code size} RUNNING, unassigned instances; returns them. */
  private List<Instance> awaitPool(int size) {
    await()
        .atMost(REPLY)
        .until(() -> pooled().size() == size && pooled().stream().allMatch(i -> i.pid() != null));
    return pooled();
  }

  private List<Instance> pooled() {
    return node.instances().stream()
        .filter(i -> i.tenantId() == null && i.actualState() == InstanceState.RUNNING)
        .toList();
  }

  private Instance instanceOf(long tenant) {
    return node.storage().dao(InstanceDao.class).findByTenant(tenant).orElseThrow();
  }

  private static void assertAlive(Long pid) {
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("pid %d", pid).contains(true);
  }

  /** Makes the stand-in exit 78 at its next start, as openclaw does on a config it rejects. */
  private void breakConfig(Path configFile) throws Exception {
    ObjectNode config = (ObjectNode) json.readTree(Files.readString(configFile));
    config.putObject("standin").put("exitAtStart", 78);
    Files.writeString(configFile, json.writeValueAsString(config));
  }

  private UpdateStatus status(long updateId) {
    return node.storage()
        .dao(ProcessedUpdateDao.class)
        .findById(updateId)
        .map(u -> u.status())
        .orElse(null);
  }

  private HttpResponse<String> webhook(String body, String secret) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(node.appUrl("/telegram/webhook")))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (secret != null) {
      request.header("X-Telegram-Bot-Api-Secret-Token", secret);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String outcome(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json.readTree(response.body()).path("outcome").asText();
  }

  private HttpResponse<String> message(long tenant, String text) throws Exception {
    String body = json.writeValueAsString(Map.of("text", text));
    return http.send(
        HttpRequest.newBuilder(
                URI.create(node.adminUrl("/api/v1/instances/" + tenant + "/messages")))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + E2eNode.ADMIN_TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String url, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
