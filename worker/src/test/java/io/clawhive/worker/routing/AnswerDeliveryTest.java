package io.clawhive.worker.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.ProcessedUpdate;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.core.storage.UpdateAnswerDao;
import io.clawhive.core.storage.UpdateStatus;
import io.clawhive.core.task.ReplyTo;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.core.telegram.TelegramApiException;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.core.telegram.TelegramRetryPolicy;
import io.clawhive.core.testing.TestDatabase;
import io.clawhive.core.testing.TestDatabases;
import io.clawhive.worker.fleet.TenantGateways;
import io.clawhive.worker.gateway.GatewayClient;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.standin.StandInGateway;
import io.clawhive.worker.supervision.HealthProbe;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The answer path with a real stand-in gateway (a child process), the real route handler, H2 and
 * the fake Bot API over HTTP: runaway answers are cut and sent as a document, long ones as a
 * document, and an answer is stored before it is sent, so that a failed send resends it (only the
 * missing parts) instead of asking the agent again. A redelivery is what the task bus does after a
 * failed attempt: {@link RouteMessageHandler#handle} once more with the same message.
 */
class AnswerDeliveryTest {
  private static final String TOKEN = "4242:answers-token";
  private static final String GATEWAY_TOKEN = "standin-answers";
  private static final int EIGHT_MB = 8 * 1024 * 1024;

  @TempDir static Path dir;
  private static Process standIn;
  private static GatewayClient client;

  private final ScheduledExecutorService typing = Executors.newSingleThreadScheduledExecutor();
  private final MetricRegistry metrics = new MetricRegistry();
  private FakeTelegramBotApi telegram;
  private TestDatabase db;
  private Storage storage;
  private RouteMessageHandler handler;
  private long nextUpdate = 1;

  @BeforeAll
  static void startStandIn() throws Exception {
    int port = StandIn.port();
    Path config = dir.resolve("standin.json");
    Files.writeString(config, "{\"gateway\":{\"auth\":{\"token\":\"" + GATEWAY_TOKEN + "\"}}}");
    ProcessBuilder builder = new ProcessBuilder(GatewayCommand.gatewayRun(StandIn.program(), port));
    builder.environment().put("OPENCLAW_CONFIG_PATH", config.toString());
    builder.redirectErrorStream(true).redirectOutput(dir.resolve("standin.log").toFile());
    standIn = builder.start();
    client =
        new GatewayClient(
            GatewayClient.newHttpClient(Duration.ofSeconds(2)),
            "standin",
            URI.create("http://127.0.0.1:" + port),
            GATEWAY_TOKEN,
            Duration.ofSeconds(60),
            Clock.systemUTC());
    HealthProbe probe = new HealthProbe(Clock.systemUTC());
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> probe.probe(port, HealthProbe.READINESS_PATH, Duration.ofSeconds(2)).join().ok());
  }

  @AfterAll
  static void stopStandIn() throws Exception {
    if (standIn != null) {
      standIn.destroy();
      if (!standIn.waitFor(10, TimeUnit.SECONDS)) {
        standIn.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  @BeforeEach
  void start() throws Exception {
    telegram = new FakeTelegramBotApi(TOKEN);
    db = TestDatabases.h2();
    storage = db.storage();
    TelegramBotApi api =
        new TelegramBotApi(
            TelegramBotApi.newHttpClient(),
            telegram.baseUrl(),
            TOKEN,
            new TelegramRetryPolicy(2, Duration.ofSeconds(1), 1, Duration.ZERO, Duration.ZERO),
            d -> {},
            metrics);
    handler =
        new RouteMessageHandler(
            new OneGateway(),
            storage,
            Optional.of(api),
            null,
            3,
            typing,
            BudgetRefusals.NONE,
            AnswerLimits.defaults(),
            metrics,
            Clock.systemUTC());
  }

  @AfterEach
  void stop() throws Exception {
    typing.shutdownNow();
    telegram.close();
    db.close();
  }

  @Test
  void anEightMegabyteAnswerIsCutAndSentAsOneMessagePlusADocumentAndTheNextUserIsAnswered()
      throws Exception {
    MemoryPoolMXBean[] heap = heapPools();
    long before = usedHeap();
    resetPeaks(heap);

    handler.handle(message(2001, StandInGateway.LONG_ANSWER + EIGHT_MB));

    long peak = peakHeap(heap);
    assertThat(telegram.sentTo(2001)).as("one message: the first part").hasSize(1);
    String first = telegram.sentTo(2001).get(0).text();
    assertThat(first).startsWith("line 00000000 ").hasSizeLessThanOrEqualTo(4096);
    assertThat(telegram.documentsTo(2001))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.fileName()).isEqualTo("answer.md");
              assertThat(d.text()).startsWith(first);
              assertThat(d.text())
                  .hasSize(
                      AnswerLimits.DEFAULT_MAX_CHARS
                          + BotReplies.cutNote(AnswerLimits.DEFAULT_MAX_CHARS).length())
                  .endsWith("characters and was cut here.]");
              assertThat(d.replyTo()).as("only the first message replies").isNull();
            });
    assertThat(metrics.meter(RouteMessageHandler.ANSWERS_CUT).getCount()).isEqualTo(1);
    assertThat(metrics.meter(RouteMessageHandler.ANSWERS_AS_DOCUMENT).getCount()).isEqualTo(1);
    System.out.printf(
        "8 MiB answer: %d message + %d document of %,d chars; heap used before %,d KiB, peak"
            + " during the turn %,d KiB (the answer cap is 1 Mi chars = 2 MiB as a String)%n",
        telegram.sentTo(2001).size(),
        telegram.documentsTo(2001).size(),
        telegram.documentsTo(2001).get(0).text().length(),
        before / 1024,
        peak / 1024);

    handler.handle(message(2002, "hello after the runaway"));
    assertThat(telegram.sentTo(2002))
        .extracting(Sent::text)
        .singleElement()
        .asString()
        .startsWith("echo: hello after the runaway");
    assertThat(status(1)).isEqualTo(UpdateStatus.ANSWERED);
    assertThat(storage.dao(UpdateAnswerDao.class).find(1)).as("gone once sent").isEmpty();
  }

  @Test
  void anAnswerOfUpToFourMessagesIsSentInlineAndALongerOneAsADocument() throws Exception {
    handler.handle(message(2101, StandInGateway.LONG_ANSWER + 4 * 4000));
    assertThat(telegram.sentTo(2101)).hasSize(4);
    assertThat(telegram.documentsTo(2101)).isEmpty();

    handler.handle(message(2102, StandInGateway.LONG_ANSWER + 5 * 4096));
    assertThat(telegram.sentTo(2102)).hasSize(1);
    assertThat(telegram.documentsTo(2102))
        .singleElement()
        .satisfies(d -> assertThat(d.text()).hasSize(5 * 4096).endsWith("end of turn 1"));
    assertThat(metrics.meter(RouteMessageHandler.ANSWERS_AS_DOCUMENT).getCount()).isEqualTo(1);
    assertThat(metrics.meter(RouteMessageHandler.ANSWERS_CUT).getCount()).isZero();
  }

  @Test
  void aFailedSendResendsTheStoredAnswerWithoutAskingTheAgentAgain() throws Exception {
    RouteMessage message = message(2201, "remember me");
    telegram.failNext("sendMessage", 1, 400);

    assertThatThrownBy(() -> handler.handle(message)).isInstanceOf(TelegramApiException.class);
    assertThat(storage.dao(UpdateAnswerDao.class).find(message.updateId()))
        .hasValueSatisfying(a -> assertThat(a.partsSent()).isZero());
    handler.handle(message.withAttempt(2));

    // the stand-in counts turns per conversation: asked once, so the answer says turn 1
    assertThat(telegram.sentTo(2201))
        .extracting(Sent::text)
        .containsExactly("echo: remember me (turn 1)");
    assertThat(metrics.meter(RouteMessageHandler.ANSWERS_RESENT).getCount()).isEqualTo(1);
    assertThat(status(message.updateId())).isEqualTo(UpdateStatus.ANSWERED);

    handler.handle(message.withAttempt(3));
    assertThat(telegram.sentTo(2201)).as("answered: a redelivery sends nothing").hasSize(1);
  }

  @Test
  void aSendThatFailsHalfWayResendsOnlyTheMissingParts() throws Exception {
    RouteMessage message = message(2301, StandInGateway.LONG_ANSWER + 3 * 4000);
    // the first part goes out, the second is refused
    telegram.onSent(s -> telegram.failNext("sendMessage", 1, 400));

    assertThatThrownBy(() -> handler.handle(message)).isInstanceOf(TelegramApiException.class);
    telegram.onSent(s -> {});
    assertThat(telegram.sentTo(2301)).hasSize(1);
    assertThat(
            storage.dao(UpdateAnswerDao.class).find(message.updateId()).orElseThrow().partsSent())
        .isEqualTo(1);

    handler.handle(message.withAttempt(2));

    assertThat(telegram.sentTo(2301)).hasSize(3);
    assertThat(telegram.sentTo(2301))
        .extracting(Sent::text)
        .doesNotHaveDuplicates()
        .first()
        .asString()
        .startsWith("line 00000000");
    assertThat(telegram.sentTo(2301).get(2).text()).endsWith("end of turn 1");
  }

  private RouteMessage message(long tenant, String text) {
    Instant now = Instant.now();
    if (storage.dao(TenantDao.class).findById(tenant).isEmpty()) {
      storage
          .dao(TenantDao.class)
          .insert(
              new Tenant(
                  tenant,
                  tenant,
                  "u" + tenant,
                  "session-" + tenant,
                  TenantStatus.ACTIVE,
                  now,
                  now));
    }
    long updateId = nextUpdate++;
    storage
        .dao(ProcessedUpdateDao.class)
        .insertIfAbsent(ProcessedUpdate.received(updateId, tenant, now));
    return RouteMessage.of(tenant, tenant, updateId, text, ReplyTo.telegram(null), now);
  }

  private UpdateStatus status(long updateId) {
    return storage.dao(ProcessedUpdateDao.class).findById(updateId).orElseThrow().status();
  }

  private static MemoryPoolMXBean[] heapPools() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP)
        .toArray(MemoryPoolMXBean[]::new);
  }

  private static long usedHeap() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void resetPeaks(MemoryPoolMXBean[] pools) {
    for (MemoryPoolMXBean pool : pools) {
      pool.resetPeakUsage();
    }
  }

  /** Sum of the heap pools' peaks (an upper bound of the heap in use at any one time). */
  private static long peakHeap(MemoryPoolMXBean[] pools) {
    long sum = 0;
    for (MemoryPoolMXBean pool : pools) {
      sum += pool.getPeakUsage().getUsed();
    }
    return sum;
  }

  /** Every tenant talks to the one stand-in (it keeps one conversation per session key). */
  private static final class OneGateway implements TenantGateways {
    @Override
    public GatewayClient gatewayFor(long tenantId) {
      return client;
    }

    @Override
    public void touch(long tenantId) {}

    @Override
    public void restart(long tenantId, String reason) {}

    @Override
    public Optional<InstanceState> stateOf(long tenantId) {
      return Optional.of(InstanceState.RUNNING);
    }
  }
}
