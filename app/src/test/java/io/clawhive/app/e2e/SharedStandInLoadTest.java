package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.UpdateStatus;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.core.telegram.TelegramBotApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load figure, 200 tenants × 5 messages, through a real api node (polling the fake Bot
 * API, deduplicating, placing, queueing on the node's broker and storage) and the real route
 * handler and task consumer — but NOT the node's own worker fleet: 200 live gateway processes (one
 * per tenant, even stand-ins) do not fit this machine. A {@link TestWorker} on the node's broker
 * and storage runs the route handler over {@link StandInTenantGateways}, three stand-in processes
 * shared by tenant id (each keeps one conversation per session key). The same exactly-once and
 * per-tenant ordering assertions run through the node's real worker fleet at a smaller scale in
 * {@link TelegramEndToEndTest#severalTenantsEachGetEveryMessageAnsweredOnceAndInOrder}.
 */
@Tag("infra")
class SharedStandInLoadTest {
  /** Tenants in the load test; -Dclawhive.e2e.tenants=200 is the figure (default). */
  private static final int TENANTS = Integer.getInteger("clawhive.e2e.tenants", 200);

  private static final int MESSAGES_PER_TENANT = 5;

  /** Stand-in gateway processes shared by the tenants (each is a JVM). */
  private static final int STAND_INS = Integer.getInteger("clawhive.e2e.standins", 3);

  private static final String WORKER_NODE_PREFIX = "e2e-load-worker-";

  @TempDir Path dir;
  private FakeTelegramBotApi telegram;
  private StandInTenantGateways gateways;
  private E2eNode node;
  private TestWorker worker;

  @AfterEach
  void stopAll() throws Exception {
    try {
      if (worker != null) {
        worker.close();
        node.deleteSharedQueueOf(WORKER_NODE_PREFIX + node.nodeId);
      }
      if (node != null) {
        node.close();
      }
    } finally {
      if (gateways != null) {
        gateways.close();
      }
      if (telegram != null) {
        telegram.close();
      }
    }
  }

  @Test
  void everyUpdateOfManyTenantsIsAnsweredExactlyOnceInOrder() throws Exception {
    telegram = new FakeTelegramBotApi(E2eNode.BOT_TOKEN);
    gateways = new StandInTenantGateways(STAND_INS, Files.createDirectories(dir.resolve("si")));
    node = new E2eNode(dir, "api").telegram(telegram.baseUrl(), "polling").start();
    worker =
        new TestWorker(
            WORKER_NODE_PREFIX + node.nodeId,
            node.amqpUri(),
            node.storage(),
            gateways,
            new TelegramBotApi(telegram.baseUrl(), E2eNode.BOT_TOKEN));

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
    // the worker records ANSWERED right after sendMessage returns, so wait for the last marks
    ProcessedUpdateDao updates = node.storage().dao(ProcessedUpdateDao.class);
    int last = updateId;
    await()
        // one pass reads every update row back: on a busy shared PostgreSQL that alone takes
        // seconds
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              for (int id = 100; id < last; id++) {
                assertThat(updates.findById(id))
                    .as("update %d", id)
                    .hasValueSatisfying(
                        u -> assertThat(u.status()).isEqualTo(UpdateStatus.ANSWERED));
              }
            });
  }
}
