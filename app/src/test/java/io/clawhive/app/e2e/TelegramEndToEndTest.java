package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clawhive.app.ClawhiveApplication;
import io.clawhive.app.ClawhiveConfiguration;
import io.clawhive.core.broker.AmqpConnections;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.broker.EmbeddedBroker;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.TelegramOffsetDao;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.core.storage.UpdateStatus;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.core.telegram.TelegramBotApi;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Telegram in, answers out, through a real api node (DropwizardTestSupport, embedded broker and H2
 * by default; RabbitMQ / PostgreSQL when CLAWHIVE_TEST_AMQP_URI / CLAWHIVE_TEST_DB_URL are set), a
 * worker on the same broker and storage running the route handler over stand-in gateway processes,
 * and a fake Bot API server on loopback.
 */
@Tag("infra")
class TelegramEndToEndTest {
  private static final Path CONFIG = Path.of("..", "config.yml").toAbsolutePath().normalize();
  private static final String TOKEN = "424242:e2e-bot-token";
  private static final String ADMIN_TOKEN = "e2e-admin";
  private static final String SECRET = "e2e-webhook-secret";
  private static final String API_NODE = "e2e-api";
  private static final String WORKER_NODE = "e2e-worker";

  /** Tenants in the load test; -Dclawhive.e2e.tenants=200 is the figure (default). */
  private static final int TENANTS = Integer.getInteger("clawhive.e2e.tenants", 200);

  private static final int MESSAGES_PER_TENANT = 5;

  /** Stand-in gateway processes shared by the tenants (each is a JVM). */
  private static final int STAND_INS = Integer.getInteger("clawhive.e2e.standins", 3);

  @TempDir Path dataDir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private final int brokerPort = freePort();
  private FakeTelegramBotApi telegram;
  private StandInTenantGateways gateways;
  private DropwizardTestSupport<ClawhiveConfiguration> node;
  private TestWorker worker;
  private Storage storage;
  private String schema;

  @BeforeEach
  void startFakes() throws Exception {
    telegram = new FakeTelegramBotApi(TOKEN);
    gateways = new StandInTenantGateways(STAND_INS, Files.createDirectories(dataDir.resolve("si")));
  }

  @AfterEach
  void stopAll() throws Exception {
    if (worker != null) {
      worker.close();
    }
    if (node != null) {
      node.after();
    }
    Path log = dataDir.resolve("node.log");
    if (Files.exists(log)) {
      Files.readAllLines(log).stream()
          .filter(line -> line.startsWith("WARN") || line.startsWith("ERROR"))
          .limit(20)
          .forEach(line -> System.out.println("node.log: " + line));
      assertThat(Files.readAllLines(log)).as("node log").noneMatch(l -> l.startsWith("ERROR"));
    }
    gateways.close();
    telegram.close();
    dropSchema();
  }

  @Test
  void firstMessageGetsTheAgentsReplyAndOffsetsAdvance() throws Exception {
    start("polling");
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(1, 1001, "hello"));

    await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTo(1001).size() == 1);
    Sent reply = telegram.sentTo(1001).get(0);
    assertThat(reply.text()).isEqualTo("echo: hello (turn 1)");
    assertThat(reply.replyTo()).isEqualTo(1);
    assertThat(telegram.actions()).contains(new FakeTelegramBotApi.Action(1001, "typing"));
    assertThat(storage.dao(TenantDao.class).findById(1001))
        .hasValueSatisfying(t -> assertThat(t.status()).isEqualTo(TenantStatus.ACTIVE));
    await().atMost(Duration.ofSeconds(10)).until(() -> status(1) == UpdateStatus.ANSWERED);
    assertThat(storage.dao(TelegramOffsetDao.class).findNextOffset("424242")).contains(2L);

    telegram.addUpdate(FakeTelegramBotApi.textUpdate(2, 1001, "again"));
    await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTo(1001).size() == 2);
    assertThat(telegram.sentTo(1001).get(1).text()).isEqualTo("echo: again (turn 2)");
  }

  @Test
  void everyUpdateOfManyTenantsIsAnsweredExactlyOnceInOrder() throws Exception {
    start("polling");
    long started = System.nanoTime();
    int updateId = 100;
    for (int m = 0; m < MESSAGES_PER_TENANT; m++) {
      for (int t = 0; t < TENANTS; t++) {
        telegram.addUpdate(FakeTelegramBotApi.textUpdate(updateId++, 5000 + t, "m" + m));
      }
    }
    int expected = TENANTS * MESSAGES_PER_TENANT;
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> telegram.sent().size() >= expected);
    long millis = (System.nanoTime() - started) / 1_000_000;
    System.out.printf(
        "e2e load: %d tenants x %d messages answered in %d ms (%.0f msg/s), %d stand-ins%n",
        TENANTS, MESSAGES_PER_TENANT, millis, expected * 1000.0 / millis, STAND_INS);

    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .until(() -> telegram.sent().size() == expected);
    for (int t = 0; t < TENANTS; t++) {
      List<String> texts = telegram.sentTo(5000 + t).stream().map(Sent::text).toList();
      List<String> wanted =
          IntStream.range(0, MESSAGES_PER_TENANT)
              .mapToObj(m -> "echo: m" + m + " (turn " + (m + 1) + ")")
              .toList();
      assertThat(texts).as("replies of tenant %d", 5000 + t).containsExactlyElementsOf(wanted);
    }
  }

  @Test
  void aRetriedWebhookUpdateIsAnsweredOnce() throws Exception {
    start("webhook");
    assertThat(telegram.webhookCalls())
        .anySatisfy(
            call -> {
              assertThat(call.path("method").asText()).isEqualTo("setWebhook");
              assertThat(call.path("params").path("secret_token").asText()).isEqualTo(SECRET);
            });
    String update = FakeTelegramBotApi.textUpdate(7, 2002, "once").toString();

    assertThat(webhook(update, SECRET).statusCode()).isEqualTo(200);
    assertThat(webhook(update, SECRET).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTo(2002).size() == 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> status(7) == UpdateStatus.ANSWERED);
    assertThat(webhook(update, SECRET).statusCode()).isEqualTo(200);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> telegram.sentTo(2002).size() == 1);
  }

  @Test
  void theWebhookRefusesWhatItCannotTrustAndQueuesNothing() throws Exception {
    start("webhook");
    String good = FakeTelegramBotApi.textUpdate(8, 3003, "hi").toString();
    assertThat(webhook(good, null).statusCode()).isEqualTo(401);
    assertThat(webhook(good, "wrong-secret").statusCode()).isEqualTo(401);
    assertThat(webhook("{not json", SECRET).statusCode()).isEqualTo(400);
    assertThat(webhook("[1,2]", SECRET).statusCode()).isEqualTo(400);
    assertThat(
            webhook("{\"update_id\":9,\"message\":" + "x".repeat(300_000) + "}", SECRET)
                .statusCode())
        .isEqualTo(413);

    ObjectNode edit = json.createObjectNode().put("update_id", 10);
    edit.set("edited_message", FakeTelegramBotApi.textUpdate(10, 3003, "edit").get("message"));
    assertThat(outcome(webhook(edit.toString(), SECRET))).isEqualTo("IGNORED");
    ObjectNode callback = json.createObjectNode().put("update_id", 11);
    callback
        .putObject("callback_query")
        .put("id", "cb")
        .put("data", "x")
        .putObject("from")
        .put("id", 3003)
        .put("is_bot", false)
        .put("first_name", "U");
    assertThat(outcome(webhook(callback.toString(), SECRET))).isEqualTo("IGNORED");
    ObjectNode group = FakeTelegramBotApi.textUpdate(12, 3003, "in a group");
    ((ObjectNode) group.path("message").path("chat")).put("id", -100).put("type", "group");
    assertThat(outcome(webhook(group.toString(), SECRET))).isEqualTo("IGNORED");
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
    assertThat(outcome(webhook(sticker.toString(), SECRET))).isEqualTo("REPLIED");

    assertThat(telegram.sentTo(3003))
        .extracting(Sent::text)
        .containsExactly(
            "Sorry, I can only read text messages for now. Please write your"
                + " request as text.");
    assertThat(storage.dao(TenantDao.class).findById(3003)).isEmpty();
    assertThat(storage.dao(ProcessedUpdateDao.class).findById(8)).isEmpty();
    assertThat(telegram.calls("sendChatAction")).isZero();
    HttpResponse<String> health =
        get("http://127.0.0.1:" + node.getAdminPort() + "/healthcheck", null);
    assertThat(health.statusCode()).isEqualTo(200);
  }

  @Test
  void aRateLimitStormDelaysRepliesButKeepsThemInOrder() throws Exception {
    start("polling");
    telegram.rateLimitNext("sendMessage", 4, 1);
    for (int i = 0; i < 3; i++) {
      telegram.addUpdate(FakeTelegramBotApi.textUpdate(200 + i, 4004, "n" + i));
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> telegram.sentTo(4004).size() == 3);
    assertThat(telegram.sentTo(4004))
        .extracting(Sent::text)
        .containsExactly("echo: n0 (turn 1)", "echo: n1 (turn 2)", "echo: n2 (turn 3)");
    assertThat(telegram.calls("sendMessage")).isGreaterThanOrEqualTo(7);
  }

  @Test
  void aLongAnswerIsSplitAtParagraphs() throws Exception {
    start("polling");
    String first = "a".repeat(3000);
    String second = "b".repeat(3000);
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(300, 6006, first + "\n\n" + second));
    await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTo(6006).size() == 2);
    assertThat(telegram.sentTo(6006))
        .extracting(Sent::text)
        .containsExactly("echo: " + first, second + " (turn 1)");
  }

  @Test
  void afterTheLastAttemptTheUserGetsOneFailureMessageAndOpsSeeADeadLetter() throws Exception {
    start("polling");
    gateways.failing.add(7007L);
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(400, 7007, "doomed"));
    await().atMost(Duration.ofSeconds(30)).until(() -> status(400) == UpdateStatus.FAILED);
    assertThat(telegram.sentTo(7007))
        .singleElement()
        .satisfies(s -> assertThat(s.text()).startsWith("Sorry, your agent could not answer"));
    HttpResponse<String> letters = get(appUrl("/api/v1/dead-letters"), ADMIN_TOKEN);
    assertThat(letters.statusCode()).isEqualTo(200);
    JsonNode list = json.readTree(letters.body());
    assertThat(list.path("total").asLong()).isEqualTo(1);
    assertThat(list.path("letters").get(0).path("taskType").asText()).isEqualTo("route_message");
    assertThat(list.path("letters").get(0).path("reason").asText()).contains("3 attempt(s)");
  }

  @Test
  void chatOverHttpCommandsAndReset() throws Exception {
    start("polling");
    assertThat(message(8008, "hi").body()).contains("echo: hi (turn 1)");
    assertThat(message(8008, "there").body()).contains("echo: there (turn 2)");
    assertThat(message(8008, "/status").body()).contains("running and ready");
    assertThat(message(8008, "/reset").body()).contains("fresh conversation");
    assertThat(message(8008, "after reset").body()).contains("echo: after reset (turn 1)");
    assertThat(message(8008, "/restart").body()).contains("Restarting");
    assertThat(gateways.restarts(8008)).isEqualTo(1);
    assertThat(message(8008, "/help").body()).contains("/reset");
    HttpResponse<String> unauthorized =
        http.send(
            HttpRequest.newBuilder(URI.create(appUrl("/api/v1/instances/8008/messages")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"x\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(unauthorized.statusCode()).isEqualTo(401);
  }

  @Test
  void chatOverHttpWorksWithoutABotTokenAndFailsClearly() throws Exception {
    startNode("polling", false);
    HttpResponse<String> reply = message(9009, "no bot");
    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(json.readTree(reply.body()).path("reply").asText())
        .isEqualTo("echo: no bot (turn 1)");
    gateways.failing.add(9010L);
    HttpResponse<String> failed = message(9010, "x");
    assertThat(failed.statusCode()).isEqualTo(502);
    assertThat(failed.body()).contains("could not answer");
  }

  // ---- helpers ---------------------------------------------------------------------------

  private void start(String mode) throws Exception {
    startNode(mode, true);
  }

  private void startNode(String mode, boolean withBot) throws Exception {
    List<ConfigOverride> overrides =
        new ArrayList<>(
            List.of(
                ConfigOverride.config("dataDir", dataDir.toString()),
                ConfigOverride.config("nodeId", API_NODE),
                ConfigOverride.config("roles", "api"),
                ConfigOverride.config("storage.url", databaseUrl()),
                ConfigOverride.config("broker.uri", env("CLAWHIVE_TEST_AMQP_URI", "")),
                ConfigOverride.config("broker.embeddedPort", Integer.toString(brokerPort)),
                ConfigOverride.config("api.adminToken", ADMIN_TOKEN),
                ConfigOverride.config("api.httpReplyTimeout", "20s"),
                ConfigOverride.config("api.access.rateLimitBurst", "20"),
                ConfigOverride.config("api.telegram.botToken", withBot ? TOKEN : ""),
                ConfigOverride.config("api.telegram.apiUrl", telegram.baseUrl()),
                ConfigOverride.config("api.telegram.mode", mode),
                ConfigOverride.config("api.telegram.pollTimeout", "1s"),
                ConfigOverride.config(
                    "api.telegram.webhookUrl", "https://bot.example.test/telegram/webhook"),
                ConfigOverride.config("api.telegram.webhookSecret", SECRET),
                ConfigOverride.config("server.applicationConnectors[0].port", "0"),
                ConfigOverride.config("server.adminConnectors[0].port", "0"),
                ConfigOverride.config("logging.appenders[0].type", "file"),
                ConfigOverride.config(
                    "logging.appenders[0].currentLogFilename",
                    dataDir.resolve("node.log").toString()),
                ConfigOverride.config("logging.appenders[0].archive", "false")));
    if (!env("CLAWHIVE_TEST_DB_URL", "").isEmpty()) {
      overrides.add(
          ConfigOverride.config("storage.user", env("CLAWHIVE_TEST_DB_USER", "postgres")));
    }
    node =
        new DropwizardTestSupport<>(
            ClawhiveApplication.class, CONFIG.toString(), overrides.toArray(ConfigOverride[]::new));
    node.before();
    storage = storage();
    cleanSharedState();
    worker =
        new TestWorker(
            WORKER_NODE,
            amqpUri(),
            storage,
            gateways,
            withBot ? new TelegramBotApi(telegram.baseUrl(), TOKEN) : null);
  }

  /** On a shared PostgreSQL: a fresh schema per test, dropped afterwards. */
  private String databaseUrl() throws Exception {
    String pg = env("CLAWHIVE_TEST_DB_URL", "");
    if (pg.isEmpty()) {
      return "";
    }
    schema = "e2e_" + Long.toHexString(System.nanoTime());
    try (var connection = adminDataSource().getConnection();
        var statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA " + schema);
    }
    return pg + (pg.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  private void dropSchema() throws Exception {
    if (schema != null) {
      try (var connection = adminDataSource().getConnection();
          var statement = connection.createStatement()) {
        statement.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  private static PGSimpleDataSource adminDataSource() {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(env("CLAWHIVE_TEST_DB_URL", ""));
    dataSource.setUser(env("CLAWHIVE_TEST_DB_USER", "postgres"));
    return dataSource;
  }

  /** On a shared RabbitMQ, earlier runs may leave dead letters behind. */
  private void cleanSharedState() {
    if (!env("CLAWHIVE_TEST_AMQP_URI", "").isEmpty()) {
      try (var connection = AmqpConnections.open(amqpUri(), "e2e-clean");
          var channel = connection.createChannel()) {
        channel.queuePurge(new BrokerTopology().deadLetterQueue());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private Storage storage() {
    String pg = env("CLAWHIVE_TEST_DB_URL", "");
    if (!pg.isEmpty()) {
      PGSimpleDataSource dataSource = new PGSimpleDataSource();
      dataSource.setURL(pg);
      dataSource.setCurrentSchema(schema);
      dataSource.setUser(env("CLAWHIVE_TEST_DB_USER", "postgres"));
      return Storage.create(dataSource);
    }
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL(node.getConfiguration().getStorage().effectiveUrl(dataDir));
    dataSource.setUser("clawhive");
    dataSource.setPassword("");
    return Storage.create(dataSource);
  }

  private String amqpUri() {
    String external = env("CLAWHIVE_TEST_AMQP_URI", "");
    if (!external.isEmpty()) {
      return external;
    }
    String password =
        EmbeddedBroker.loadOrCreatePassword(dataDir.resolve("broker").resolve("password"));
    return "amqp://"
        + EmbeddedBroker.DEFAULT_USERNAME
        + ":"
        + password
        + "@127.0.0.1:"
        + brokerPort
        + "/"
        + EmbeddedBroker.VIRTUAL_HOST;
  }

  private UpdateStatus status(long updateId) {
    return storage
        .dao(ProcessedUpdateDao.class)
        .findById(updateId)
        .map(u -> u.status())
        .orElse(null);
  }

  private HttpResponse<String> webhook(String body, String secret) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(appUrl("/telegram/webhook")))
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
        HttpRequest.newBuilder(URI.create(appUrl("/api/v1/instances/" + tenant + "/messages")))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + ADMIN_TOKEN)
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

  private String appUrl(String path) {
    return "http://127.0.0.1:" + node.getLocalPort() + path;
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  private static int freePort() {
    try (java.net.ServerSocket socket =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
