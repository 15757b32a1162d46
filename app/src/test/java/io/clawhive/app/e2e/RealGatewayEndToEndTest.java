package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.worker.fakes.FakeModelServer;
import io.clawhive.worker.fakes.InstalledRuntime;
import io.clawhive.worker.openclaw.VerifiedRuntime;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path with the REAL OpenClaw gateway: a node with roles api and worker runs openclaw
 * from CLAWHIVE_RUNTIME_DIR (skipped with a message when that runtime is missing), its model
 * provider is the fake model server on 127.0.0.1, Telegram is the fake Bot API. A Telegram message
 * comes back in the chat as the model's answer, and the second one shows the gateway sent the
 * conversation so far (the fake counts user turns). Exactly one gateway: no warm pool, one tenant.
 *
 * <p>Isolation: as root (CI) the worker runs its default, {@code sandbox} ({@link E2eNode}):
 * openclaw runs as the instance's own user in bubblewrap inside the instance's network namespace,
 * and reaches the model only through the worker's model proxy on the worker address (the fake model
 * server on loopback is contacted by the proxy, from the host). Not as root: mode {@code none}.
 */
class RealGatewayEndToEndTest {
  /** A real gateway is ready after ≈ 40–60 s on a loaded machine; its first turn takes longer. */
  private static final Duration FIRST_REPLY = Duration.ofMinutes(4);

  private static final Duration LATER_REPLY = Duration.ofMinutes(2);
  private static final long TENANT = 77_001;

  @TempDir Path dir;
  private FakeTelegramBotApi telegram;
  private FakeModelServer model;
  private E2eNode node;

  @AfterEach
  void stopAll() throws Exception {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      if (model != null) {
        model.close();
      }
      if (telegram != null) {
        telegram.close();
      }
    }
  }

  @Test
  void aTelegramMessageIsAnsweredByTheModelThroughTheRealGatewayWithHistory() throws Exception {
    VerifiedRuntime runtime = InstalledRuntime.assumeInstalled();
    telegram = new FakeTelegramBotApi(E2eNode.BOT_TOKEN);
    model = FakeModelServer.start("e2e-model-key");
    node =
        new E2eNode(dir, "api,worker")
            .telegram(telegram.baseUrl(), "polling")
            .set("worker.gatewayCommand", "")
            .set("worker.runtimeDir", runtime.layout().dir().toString())
            .set("worker.pool.size", "0")
            .set("worker.model.baseUrl", model.baseUrl())
            .set("worker.model.apiKey", model.apiKey())
            .set("worker.model.id", FakeModelServer.MODEL_ID)
            .set("worker.supervision.readinessPeriod", "500ms")
            .set("worker.supervision.startupTimeout", "240s")
            .set("worker.supervision.livenessPeriod", "5s")
            .start();

    long started = System.nanoTime();
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(1, TENANT, "hello real gateway"));
    await()
        .atMost(FIRST_REPLY)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> !telegram.sentTo(TENANT).isEmpty());
    long firstMillis = (System.nanoTime() - started) / 1_000_000;
    assertThat(telegram.sentTo(TENANT))
        .extracting(Sent::text)
        .containsExactly("turn 1: hello real gateway");
    Instance instance = node.storage().dao(InstanceDao.class).findByTenant(TENANT).orElseThrow();
    assertThat(instance.actualState()).isEqualTo(InstanceState.RUNNING);
    assertThat(instance.pid()).isNotNull();
    assertThat(node.instances()).hasSize(1);

    started = System.nanoTime();
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(2, TENANT, "and again"));
    await()
        .atMost(LATER_REPLY)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> telegram.sentTo(TENANT).size() == 2);
    long secondMillis = (System.nanoTime() - started) / 1_000_000;
    assertThat(telegram.sentTo(TENANT).get(1).text()).isEqualTo("turn 2: and again");
    assertThat(model.requests()).hasSizeGreaterThanOrEqualTo(2);
    System.out.printf(
        "e2e real gateway: first reply after %d ms (start + first turn), second after %d ms%n",
        firstMillis, secondMillis);
  }
}
