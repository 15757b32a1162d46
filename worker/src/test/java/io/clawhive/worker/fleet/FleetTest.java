package io.clawhive.worker.fleet;

import static io.clawhive.worker.fleet.FleetFixture.alive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.clawhive.core.storage.HealthResultDao;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.SkillInstallDao;
import io.clawhive.core.storage.SkillInstallStatus;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.worker.gateway.ChatReply;
import io.clawhive.worker.gateway.GatewayConfigRejectedException;
import io.clawhive.worker.process.PidFile;
import io.clawhive.worker.standin.StandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fleet with stand-in gateways (real child processes) on H2. */
class FleetTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private FleetFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new FleetFixture(dir);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void gatewayForCreatesTheTenantAndInstanceThenChats() {
    Fleet fleet = f.fleet(f.settings(0));
    fleet.start();

    ChatReply reply = fleet.gatewayFor(7L).chat("session-7", "hello");

    assertThat(reply.content()).isEqualTo("echo: hello (turn 1)");
    assertThat(fleet.gatewayFor(7L).chat("session-7", "again").content()).endsWith("(turn 2)");
    Instance row = f.rowOfTenant(7L).orElseThrow();
    assertThat(row.actualState()).isEqualTo(InstanceState.RUNNING);
    assertThat(row.desiredState()).isEqualTo(InstanceState.RUNNING);
    assertThat(row.workerNode()).isEqualTo(FleetFixture.NODE);
    assertThat(alive(row.pid())).isTrue();
    assertThat(row.lastActiveAt()).isNotNull();
    assertThat(f.storage.dao(TenantDao.class).findById(7L))
        .hasValueSatisfying(t -> assertThat(t.status()).isEqualTo(TenantStatus.ACTIVE));
    assertThat(fleet.stateOf(7L)).contains(InstanceState.RUNNING);
    assertThat(fleet.stateOf(8L)).isEmpty();
    assertThat(fleet.liveCount()).isEqualTo(1);
    assertThat(f.metrics.getCounters().get("instances.provisioned").getCount()).isEqualTo(1);
    assertThat(f.metrics.getGauges().get("instances.running").getValue()).isEqualTo(1L);
    Path config = Path.of(row.baseDir()).resolve("config/openclaw.json");
    assertThat(config).content().contains("\"port\" : " + row.port()).contains("openclaw.log");
  }

  @Test
  void kill9IsRestartedWithBackOffAndPersisted() throws Exception {
    Fleet fleet = f.fleet(f.settings(0));
    fleet.start();
    fleet.gatewayFor(7L);
    Instance before = f.rowOfTenant(7L).orElseThrow();

    ProcessHandle.of(before.pid()).orElseThrow().destroyForcibly();

    await()
        .atMost(WAIT)
        .until(
            () -> {
              Instance now = f.row(before.id());
              return now.actualState() == InstanceState.RUNNING
                  && now.pid() != null
                  && !now.pid().equals(before.pid());
            });
    Instance after = f.row(before.id());
    assertThat(after.restartCount()).isEqualTo(1);
    assertThat(after.failureReason()).contains("exited with code 137");
    assertThat(after.lastStartedAt()).isAfter(before.lastStartedAt());
    assertThat(fleet.gatewayFor(7L).chat("s", "back").content()).isEqualTo("echo: back (turn 1)");
  }

  // The programs exit at once, before the launcher could attach their limits: the exit code
  // still decides (the launcher returns the process), never a "launch failed" retry.
  @Test
  void aCrashLoopEndsFailedInStorage() {
    Fleet fleet = f.fleet(f.settings(0, List.of("sh", "-c", "exit 1", "sh")));
    fleet.start();

    String id = fleet.createForTenant(7L, "crashloop-1");

    await().atMost(WAIT).until(() -> f.row(id).actualState() == InstanceState.FAILED);
    Instance row = f.row(id);
    assertThat(row.failureReason()).contains("start limit hit");
    assertThat(row.restartCount()).isGreaterThanOrEqualTo(2);
    assertThat(row.pid()).isNull();
    assertThatThrownBy(() -> fleet.gatewayFor(7L))
        .isInstanceOf(InstanceUnavailableException.class)
        .hasMessageContaining("FAILED")
        .hasMessageContaining("start limit");
  }

  @Test
  void exit78FailsAtOnceWithoutRetries() {
    Fleet fleet = f.fleet(f.settings(0, List.of("sh", "-c", "exit 78", "sh")));
    fleet.start();

    String id = fleet.createForTenant(7L, "exit78-1");

    await().atMost(WAIT).until(() -> f.row(id).actualState() == InstanceState.FAILED);
    Instance row = f.row(id);
    assertThat(row.failureReason()).contains("code 78").doesNotContain("start limit");
    assertThat(row.restartCount()).isZero();
    assertThat(row.pid()).isNull();
  }

  @Test
  void aRejectedConfigFailsWithTheGatewaysReasonAndNeverStarts() {
    ConfigCheck rejecting =
        (id, env, wrapper) -> {
          throw new GatewayConfigRejectedException(
              id, Path.of(env.get("OPENCLAW_CONFIG_PATH")), "Unrecognized key: \"bogus\"");
        };
    Fleet fleet = f.fleet(f.settings(0), rejecting, SkillSource.UNAVAILABLE);
    fleet.start();

    String id = fleet.createForTenant(7L, "rejected-1");

    Instance row = f.row(id);
    assertThat(row.actualState()).isEqualTo(InstanceState.FAILED);
    assertThat(row.failureReason()).contains("gateway config rejected").contains("bogus");
    assertThat(row.lastStartedAt()).isNull();
    assertThat(row.restartCount()).isZero();
  }

  @Test
  void aRedeliveredCreateInstanceCreatesNothingNew() {
    Fleet fleet = f.fleet(f.settings(0));
    fleet.start();

    String first = fleet.createForTenant(7L, "task-a");
    await().atMost(WAIT).until(() -> f.row(first).actualState() == InstanceState.RUNNING);
    long pid = f.row(first).pid();
    String again = fleet.createForTenant(7L, "task-a");
    String pool = fleet.createPooled("task-b");
    String poolAgain = fleet.createPooled("task-b");

    assertThat(again).isEqualTo(first);
    assertThat(poolAgain).isEqualTo(pool);
    assertThat(f.rows()).hasSize(2);
    assertThat(f.row(first).pid()).isEqualTo(pid);
  }

  @Test
  void recommendedSkillsThatFailAreRecordedAndTheInstanceStillRuns() {
    FleetSettings base = f.settings(0);
    FleetSettings settings =
        new FleetSettings(
            base.nodeId(),
            base.instancesDir(),
            base.ports(),
            0,
            base.limits(),
            base.policy(),
            base.hibernateAfter(),
            base.diskQuotaBytes(),
            base.housekeepingInterval(),
            List.of("weather", "notes"),
            base.instanceUserPrefix(),
            base.gatewayProgram(),
            base.runtime(),
            base.model());
    Fleet fleet = f.fleet(settings);
    fleet.start();

    fleet.gatewayFor(7L);

    String id = f.rowOfTenant(7L).orElseThrow().id();
    assertThat(f.storage.dao(SkillInstallDao.class).listByInstance(id))
        .extracting(s -> s.slug() + ":" + s.status())
        .containsExactly(
            "notes:" + SkillInstallStatus.FAILED, "weather:" + SkillInstallStatus.FAILED);
    assertThat(f.row(id).actualState()).isEqualTo(InstanceState.RUNNING);
  }

  @Test
  void poolClaimIsInstantWithoutANewProcessAndThePoolRefills() {
    Fleet fleet = f.fleet(f.settings(1));
    fleet.start();
    await().atMost(WAIT).until(() -> pooledRunning().size() == 1);
    Instance pooled = pooledRunning().get(0);

    long started = System.nanoTime();
    String claimed = fleet.createForTenant(7L, "claim-task");
    long claimMillis = (System.nanoTime() - started) / 1_000_000;

    Instance row = f.row(claimed);
    assertThat(claimed).isEqualTo(pooled.id());
    assertThat(row.tenantId()).isEqualTo(7L);
    assertThat(row.actualState()).isEqualTo(InstanceState.RUNNING);
    assertThat(row.pid()).isEqualTo(pooled.pid());
    assertThat(row.lastStartedAt()).isEqualTo(pooled.lastStartedAt());
    assertThat(f.metrics.getCounters().get("instances.claimed").getCount()).isEqualTo(1);
    assertThat(fleet.gatewayFor(7L).chat("s7", "hi").content()).isEqualTo("echo: hi (turn 1)");
    System.out.println("measured: pool claim took " + claimMillis + " ms");

    await().atMost(WAIT).until(() -> pooledRunning().size() == 1);
    assertThat(pooledRunning().get(0).id()).isNotEqualTo(pooled.id());
    assertThat(f.rows()).hasSize(2);
  }

  @Test
  void idleGatewaysHibernateAndWakeOnTheNextMessage() {
    FleetSettings base = f.settings(0);
    FleetSettings settings =
        new FleetSettings(
            base.nodeId(),
            base.instancesDir(),
            base.ports(),
            0,
            base.limits(),
            base.policy(),
            Duration.ofMillis(300),
            base.diskQuotaBytes(),
            base.housekeepingInterval(),
            base.recommendedSkills(),
            base.instanceUserPrefix(),
            base.gatewayProgram(),
            base.runtime(),
            base.model());
    Fleet fleet = f.fleet(settings);
    fleet.start();
    fleet.gatewayFor(7L).chat("s7", "one");
    String id = f.rowOfTenant(7L).orElseThrow().id();
    long pid = f.row(id).pid();

    await()
        .atMost(WAIT)
        .until(
            () -> {
              fleet.housekeepNow();
              return f.row(id).actualState() == InstanceState.HIBERNATED;
            });
    assertThat(f.row(id).desiredState()).isEqualTo(InstanceState.HIBERNATED);
    assertThat(f.row(id).pid()).isNull();
    await().atMost(WAIT).until(() -> !alive(pid));
    assertThat(Path.of(f.row(id).baseDir()).resolve("config/openclaw.json")).exists();

    ChatReply woken = fleet.gatewayFor(7L).chat("s7", "two");

    assertThat(woken.content()).isEqualTo("echo: two (turn 1)");
    assertThat(f.row(id).actualState()).isEqualTo(InstanceState.RUNNING);
    assertThat(f.row(id).desiredState()).isEqualTo(InstanceState.RUNNING);
    assertThat(f.row(id).pid()).isNotEqualTo(pid);
  }

  @Test
  void overTheDiskQuotaTheGatewayStopsAndTheTenantIsToldOnce() throws Exception {
    Fleet fleet = f.fleet(f.settings(0));
    fleet.start();
    fleet.gatewayFor(7L);
    Instance row = f.rowOfTenant(7L).orElseThrow();
    Files.write(
        Path.of(row.baseDir()).resolve("workspace/big.bin"),
        new byte[(int) FleetFixture.DISK_QUOTA + 1024]);

    fleet.housekeepNow();
    fleet.housekeepNow();

    Instance stopped = f.row(row.id());
    assertThat(stopped.actualState()).isEqualTo(InstanceState.FAILED);
    assertThat(stopped.failureReason()).contains("disk quota exceeded");
    assertThat(alive(row.pid())).isFalse();
    await().atMost(WAIT).until(() -> !f.notices.isEmpty());
    assertThat(f.notices)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.tenantId()).isEqualTo(7L);
              assertThat(n.text()).contains("stopped").contains("MiB");
            });
    assertThat(f.metrics.counter(FleetMetrics.QUOTA_HITS).getCount()).isEqualTo(1);
  }

  @Test
  void checkHealthProbesEveryLiveGatewayAndStoresResults() {
    Fleet fleet = f.fleet(f.settings(1));
    fleet.start();
    fleet.gatewayFor(7L);
    await().atMost(WAIT).until(() -> pooledRunning().size() == 1);

    var results = fleet.checkHealth();

    assertThat(results).hasSize(2).allSatisfy(r -> assertThat(r.live() && r.ready()).isTrue());
    for (Instance row : f.rows()) {
      assertThat(f.storage.dao(HealthResultDao.class).listRecent(row.id(), 5))
          .singleElement()
          .satisfies(r -> assertThat(r.detail()).contains("HTTP 200"));
    }
  }

  @Test
  void deleteStopsTheGatewayAndRemovesFilesAndRow() {
    Fleet fleet = f.fleet(f.settings(0));
    fleet.start();
    fleet.gatewayFor(7L);
    Instance row = f.rowOfTenant(7L).orElseThrow();

    fleet.deleteInstance(row.id());
    fleet.deleteInstance(row.id());

    assertThat(alive(row.pid())).isFalse();
    assertThat(Path.of(row.baseDir())).doesNotExist();
    assertThat(f.rowOfTenant(7L)).isEmpty();
    assertThat(StandIn.listening(row.port())).isFalse();
  }

  @Test
  void aNewWorkerOnTheSameStorageReapsLeftoversAndStartsWhatShouldRun() throws Exception {
    Fleet first = f.fleet(f.settings(0));
    first.start();
    first.gatewayFor(7L);
    first.gatewayFor(8L);
    first.hibernateInstance(f.rowOfTenant(8L).orElseThrow().id(), "test");
    Instance seven = f.rowOfTenant(7L).orElseThrow();
    first.stop();
    assertThat(alive(seven.pid())).as("stop leaves nothing running").isFalse();
    assertThat(StandIn.listening(seven.port())).isFalse();
    assertThat(f.row(seven.id()).desiredState()).isEqualTo(InstanceState.RUNNING);

    // what a crashed worker leaves behind: a gateway still running, its pid file in place
    Path instanceDir = Path.of(seven.baseDir());
    ProcessBuilder leftoverBuilder =
        new ProcessBuilder(
                io.clawhive.worker.openclaw.GatewayCommand.gatewayRun(
                    StandIn.program(), seven.port()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    leftoverBuilder.environment().clear();
    leftoverBuilder
        .environment()
        .putAll(
            Map.of("OPENCLAW_CONFIG_PATH", instanceDir.resolve("config/openclaw.json").toString()));
    Process leftover = leftoverBuilder.start();
    PidFile.write(instanceDir.resolve("gateway.pid"), leftover.toHandle());
    await().atMost(WAIT).until(() -> StandIn.listening(seven.port()));

    Fleet second = f.fleet(f.settings(0));
    second.start();

    assertThat(leftover.isAlive()).as("leftover reaped").isFalse();
    await().atMost(WAIT).until(() -> f.row(seven.id()).actualState() == InstanceState.RUNNING);
    Instance back = f.row(seven.id());
    assertThat(back.pid()).isNotEqualTo(leftover.pid()).isNotEqualTo(seven.pid());
    assertThat(alive(back.pid())).isTrue();
    assertThat(f.rowOfTenant(8L).orElseThrow().actualState()).isEqualTo(InstanceState.HIBERNATED);
    assertThat(second.gatewayFor(7L).chat("s", "still here").content())
        .isEqualTo("echo: still here (turn 1)");
  }

  private List<Instance> pooledRunning() {
    return f.rows().stream()
        .filter(Instance::pooled)
        .filter(r -> r.actualState() == InstanceState.RUNNING)
        .toList();
  }
}
