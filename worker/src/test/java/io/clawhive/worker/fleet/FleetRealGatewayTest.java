package io.clawhive.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.task.CreateInstance;
import io.clawhive.worker.fakes.FakeModelServer;
import io.clawhive.worker.fakes.InstalledRuntime;
import io.clawhive.worker.gateway.ChatReply;
import io.clawhive.worker.gateway.GatewayConfigValidator;
import io.clawhive.worker.gateway.ModelProvider;
import io.clawhive.worker.limits.ResourceLimits;
import io.clawhive.worker.node.TaskDispatcher;
import io.clawhive.worker.openclaw.VerifiedRuntime;
import io.clawhive.worker.supervision.SupervisionPolicy;
import io.clawhive.worker.tasks.FleetTaskHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet with the REAL OpenClaw gateway from {@code CLAWHIVE_RUNTIME_DIR} (skipped without it)
 * and the fake model server: CreateInstance → config validated → ready → two chats that keep
 * history → kill -9 → restarted by the supervisor → chat again. One gateway at a time.
 */
class FleetRealGatewayTest {

  private static final Logger LOG = LoggerFactory.getLogger(FleetRealGatewayTest.class);
  private static final Duration READY = Duration.ofMinutes(3);

  @TempDir Path dir;

  @Test
  void createReadyChatKill9RestartChat() throws Exception {
    VerifiedRuntime runtime = InstalledRuntime.assumeInstalled();
    try (FakeModelServer model = FakeModelServer.start("model-key");
        FleetFixture f = new FleetFixture(dir)) {
      FleetSettings base = f.settings(0);
      FleetSettings settings =
          new FleetSettings(
              base.nodeId(),
              base.instancesDir(),
              base.ports(),
              0,
              ResourceLimits.defaults(),
              SupervisionPolicy.builder()
                  .readinessPeriod(Duration.ofMillis(250))
                  .startupTimeout(READY)
                  .livenessPeriod(Duration.ofSeconds(2))
                  .backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(10))
                  .build(),
              base.hibernateAfter(),
              1024L * 1024 * 1024,
              base.housekeepingInterval(),
              List.of(),
              Optional.empty(),
              List.of(),
              runtime.layout(),
              new ModelProvider(
                  "fake",
                  model.baseUrl(),
                  model.apiKey(),
                  null,
                  List.of(FakeModelServer.MODEL_ID)));
      Fleet fleet =
          f.fleet(
              settings,
              new GatewayConfigValidator(runtime.layout())::validate,
              SkillSource.clawhub(
                  runtime.layout(),
                  Optional.empty(),
                  io.clawhive.worker.skills.SkillPolicy.parse(List.of(), List.of()),
                  1));
      fleet.start();
      TaskDispatcher dispatcher = FleetTaskHandlers.register(new TaskDispatcher("n"), fleet);

      long started = System.nanoTime();
      dispatcher.handle(CreateInstance.forTenant(7L, Instant.now()));
      long provisionedMs = (System.nanoTime() - started) / 1_000_000;
      String session =
          f.storage.dao(TenantDao.class).findById(7L).map(Tenant::sessionKey).orElseThrow();
      ChatReply first = fleet.gatewayFor(7L).chat(session, "hello");
      long readyMs = (System.nanoTime() - started) / 1_000_000;
      ChatReply second = fleet.gatewayFor(7L).chat(session, "what did I say?");

      assertThat(first.content()).isEqualTo("turn 1: hello");
      assertThat(second.content()).isEqualTo("turn 2: what did I say?");
      Instance before = f.rowOfTenant(7L).orElseThrow();
      assertThat(before.actualState()).isEqualTo(InstanceState.RUNNING);

      ProcessHandle.of(before.pid()).orElseThrow().destroyForcibly();
      long killed = System.nanoTime();
      await()
          .atMost(READY)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                Instance now = f.row(before.id());
                return now.actualState() == InstanceState.RUNNING
                    && now.pid() != null
                    && !now.pid().equals(before.pid());
              });
      long restartMs = (System.nanoTime() - killed) / 1_000_000;
      ChatReply third = fleet.gatewayFor(7L).chat(session, "back again");

      assertThat(third.content()).isEqualTo("turn 3: back again");
      Instance after = f.row(before.id());
      assertThat(after.restartCount()).isEqualTo(1);
      assertThat(after.failureReason()).contains("137");
      LOG.info(
          "measured: provision+validate {} ms, ready+first chat {} ms, second chat {} ms,"
              + " kill -9 to RUNNING again {} ms, chat after restart {} ms",
          provisionedMs,
          readyMs,
          second.latency().toMillis(),
          restartMs,
          third.latency().toMillis());
      fleet.stop();
      assertThat(FleetFixture.alive(after.pid())).isFalse();
    }
  }
}
