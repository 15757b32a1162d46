package io.clawhive.core.storage;

import static io.clawhive.core.storage.Rows.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.clawhive.core.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Tag("infra")
class StorageRoundTripTest {

  private static final String ALL = "io.clawhive.core.testing.TestDatabases#all";

  @ParameterizedTest
  @MethodSource(ALL)
  void tenants(TestDatabase db) {
    TenantDao tenants = db.storage().dao(TenantDao.class);
    Tenant tenant = Rows.tenant(7);
    tenants.insert(tenant);
    tenants.insert(new Tenant(8, null, null, "s8", TenantStatus.WAITLISTED, T0, T0));

    assertThat(tenants.findById(7)).contains(tenant);
    assertThat(tenants.findById(99)).isEmpty();
    assertThat(tenants.listByStatus(TenantStatus.WAITLISTED))
        .extracting(Tenant::id)
        .containsExactly(8L);
    Instant later = T0.plusSeconds(5);
    assertThat(tenants.updateStatus(8, TenantStatus.ACTIVE, later)).isTrue();
    assertThat(tenants.updateProfile(8, 80L, "eight", later)).isTrue();
    assertThat(tenants.updateStatus(99, TenantStatus.ACTIVE, later)).isFalse();
    assertThat(tenants.findById(8))
        .contains(new Tenant(8, 80L, "eight", "s8", TenantStatus.ACTIVE, T0, later));
    assertThat(tenants.countByStatus(TenantStatus.ACTIVE)).isEqualTo(2);
    assertThat(tenants.listAll()).extracting(Tenant::id).containsExactly(7L, 8L);
    assertThat(tenant.toString()).doesNotContain("session-7");
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void oneSharedDaoPerTypeServesConcurrentCallers(TestDatabase db) throws Exception {
    Storage storage = db.storage();
    TenantDao shared = storage.dao(TenantDao.class);
    assertThat(storage.dao(TenantDao.class)).isSameAs(shared);
    assertThat(storage.dao(InstanceDao.class)).isNotSameAs(shared);

    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<?>> inserts = new java.util.ArrayList<>();
      for (long id = 1; id <= 200; id++) {
        long tenant = id;
        inserts.add(pool.submit(() -> storage.dao(TenantDao.class).insert(Rows.tenant(tenant))));
      }
      for (java.util.concurrent.Future<?> insert : inserts) {
        insert.get();
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(shared.listAll()).hasSize(200);
    // the cached DAO still translates failures
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> shared.insert(Rows.tenant(7)))
        .isInstanceOf(ConstraintViolationStorageException.class);
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void instances(TestDatabase db) {
    Storage storage = db.storage();
    storage.dao(TenantDao.class).insert(Rows.tenant(1));
    InstanceDao instances = storage.dao(InstanceDao.class);
    Instance owned = Rows.instance("i-1", 1L, "w1", 18000);
    Instance pooled = Rows.pooledRunning("i-2", "w1", 18020, T0);
    instances.insert(owned);
    instances.insert(pooled);
    instances.insert(Rows.instance("i-3", null, "w2", 18000));

    assertThat(instances.findById("i-1")).contains(owned);
    assertThat(instances.findByTenant(1)).contains(owned);
    assertThat(instances.findByTenant(2)).isEmpty();
    assertThat(instances.listByWorker("w1")).extracting(Instance::id).containsExactly("i-1", "i-2");
    assertThat(instances.listByWorkerAndDesiredState("w1", InstanceState.RUNNING)).hasSize(2);
    assertThat(instances.listPooled("w1", InstanceState.RUNNING)).containsExactly(pooled);
    assertThat(instances.usedPorts("w1")).containsExactly(18000, 18020);
    assertThat(instances.countLiveByWorker("w1")).isEqualTo(2);
    assertThat(instances.listAll()).hasSize(3);

    Instant t1 = T0.plusSeconds(1);
    assertThat(
            instances.updateActualState(
                "i-1", InstanceState.PROVISIONING, InstanceState.STARTING, t1))
        .isTrue();
    assertThat(
            instances.updateActualState(
                "i-1", InstanceState.PROVISIONING, InstanceState.FAILED, t1))
        .as("guard: state is no longer PROVISIONING")
        .isFalse();
    assertThat(instances.recordStarted("i-1", 1234L, t1)).isTrue();
    assertThat(instances.recordFailure("i-1", "x".repeat(5000), t1.plusSeconds(1))).isTrue();
    assertThat(instances.recordRestart("i-1", t1.plusSeconds(2))).isTrue();
    assertThat(instances.recordStarted("i-1", 1235L, t1.plusSeconds(3))).isTrue();
    assertThat(instances.recordHealthy("i-1", t1.plusSeconds(4))).isTrue();
    assertThat(instances.touchActive("i-1", t1.plusSeconds(5))).isTrue();
    int version = instances.findById("i-1").orElseThrow().version();
    assertThat(instances.updateActualStateAtVersion("i-1", version - 1, InstanceState.RUNNING, t1))
        .isFalse();
    assertThat(instances.updateActualStateAtVersion("i-1", version, InstanceState.RUNNING, t1))
        .isTrue();
    assertThat(instances.updateDesiredState("i-1", InstanceState.HIBERNATED, t1)).isTrue();

    Instance after = instances.findById("i-1").orElseThrow();
    assertThat(after.actualState()).isEqualTo(InstanceState.RUNNING);
    assertThat(after.desiredState()).isEqualTo(InstanceState.HIBERNATED);
    assertThat(after.pid()).isEqualTo(1235L);
    assertThat(after.restartCount()).isEqualTo(1);
    assertThat(after.consecutiveFailures()).isZero();
    assertThat(after.failureReason()).hasSize(1024).endsWith("...");
    assertThat(after.lastStartedAt()).isEqualTo(t1.plusSeconds(3));
    assertThat(after.lastHealthyAt()).isEqualTo(t1.plusSeconds(4));
    assertThat(after.lastActiveAt()).isEqualTo(t1.plusSeconds(5));
    assertThat(after.version()).isEqualTo(version + 2);
    assertThat(after.toString()).doesNotContain("token-i-1");

    assertThat(instances.recordExit("i-1", t1)).isTrue();
    assertThat(instances.findById("i-1").orElseThrow().pid()).isNull();
    assertThat(instances.listIdleSince(InstanceState.RUNNING, t1.plusSeconds(6)))
        .extracting(Instance::id)
        .containsExactly("i-1");
    assertThat(instances.listIdleSince(InstanceState.RUNNING, t1.plusSeconds(5))).isEmpty();
    assertThat(instances.delete("i-3")).isTrue();
    assertThat(instances.findById("i-3")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void claimPooledAssignsOldestFreeRunningInstance(TestDatabase db) {
    Storage storage = db.storage();
    TenantDao tenants = storage.dao(TenantDao.class);
    tenants.insert(Rows.tenant(1));
    tenants.insert(Rows.tenant(2));
    tenants.insert(Rows.tenant(3));
    InstanceDao instances = storage.dao(InstanceDao.class);
    instances.insert(Rows.pooledRunning("newer", "w1", 18020, T0.plusSeconds(10)));
    instances.insert(Rows.pooledRunning("older", "w1", 18000, T0));
    instances.insert(Rows.instance("starting", null, "w1", 18040)); // not ready: never claimed
    instances.insert(Rows.pooledRunning("elsewhere", "w2", 18000, T0));
    Instant now = T0.plusSeconds(60);

    Instance claimed = instances.claimPooled("w1", 1, now).orElseThrow();
    assertThat(claimed.id()).isEqualTo("older");
    assertThat(claimed.tenantId()).isEqualTo(1L);
    assertThat(claimed.lastActiveAt()).isEqualTo(now);
    assertThat(claimed.version()).isEqualTo(1);
    assertThat(instances.claimPooled("w1", 1, now)).as("tenant already has one").isEmpty();
    assertThat(instances.claimPooled("w1", 2, now).orElseThrow().id()).isEqualTo("newer");
    assertThat(instances.claimPooled("w1", 3, now)).as("w1 pool is empty").isEmpty();
    assertThat(instances.claimPooled(null, 3, now).orElseThrow().id()).isEqualTo("elsewhere");
    assertThat(instances.findById("starting").orElseThrow().tenantId()).isNull();
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void workers(TestDatabase db) {
    WorkerDao workers = db.storage().dao(WorkerDao.class);
    WorkerNode w1 = new WorkerNode("w1", "host-1", 8, 2, 100L, 1000L, T0, T0, WorkerStatus.UP);
    workers.upsertHeartbeat(w1);
    workers.upsertHeartbeat(
        new WorkerNode("w2", "host-2", 4, 0, null, null, T0, T0.minusSeconds(60), WorkerStatus.UP));
    WorkerNode beat =
        new WorkerNode("w1", "host-1", 8, 3, 200L, 1000L, T0, T0.plusSeconds(10), WorkerStatus.UP);
    workers.upsertHeartbeat(beat);

    assertThat(workers.findById("w1")).contains(beat);
    assertThat(workers.listAll()).hasSize(2);
    assertThat(workers.listLive(T0.minusSeconds(30))).containsExactly(beat);
    assertThat(workers.updateStatus("w2", WorkerStatus.DOWN)).isTrue();
    assertThat(workers.findById("w2").orElseThrow().status()).isEqualTo(WorkerStatus.DOWN);
    assertThat(workers.findById("w2").orElseThrow().memoryUsedBytes()).isNull();

    Instant now = T0.plusSeconds(20);
    workers.upsertHeartbeat(
        new WorkerNode("w3", "host-3", 4, 0, null, null, T0, now, WorkerStatus.DRAINING));
    assertThat(workers.listAlive(now))
        .as("UP with a heartbeat within 30 s; w2 is stale, w3 is draining")
        .containsExactly(beat);
    assertThat(workers.listAlive(now.plusSeconds(30))).as("w1 went quiet").isEmpty();
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void processedUpdatesAndOffsets(TestDatabase db) {
    Storage storage = db.storage();
    ProcessedUpdateDao updates = storage.dao(ProcessedUpdateDao.class);
    assertThat(updates.insertIfAbsent(ProcessedUpdate.received(500, 7L, T0))).isTrue();
    assertThat(updates.insertIfAbsent(ProcessedUpdate.received(500, 7L, T0))).isFalse();
    assertThat(updates.insertIfAbsent(ProcessedUpdate.received(501, null, T0.minusSeconds(90_000))))
        .isTrue();
    assertThat(updates.markQueued(500, "task-1")).isTrue();
    assertThat(updates.markAnswered(500, T0.plusSeconds(3))).isTrue();
    assertThat(updates.updateStatus(501, UpdateStatus.IGNORED)).isTrue();
    assertThat(updates.findById(500))
        .contains(
            new ProcessedUpdate(500, 7L, T0, "task-1", UpdateStatus.ANSWERED, T0.plusSeconds(3)));

    assertThat(updates.insertIfAbsent(ProcessedUpdate.received(502, 7L, T0))).isTrue();
    assertThat(updates.markAnswered(502, T0.plusSeconds(1))).isTrue();
    assertThat(updates.markQueued(502, "task-2")).as("the worker was faster than the api").isTrue();
    assertThat(updates.findById(502))
        .contains(
            new ProcessedUpdate(502, 7L, T0, "task-2", UpdateStatus.ANSWERED, T0.plusSeconds(1)));

    assertThat(updates.deleteReceivedBefore(T0.minus(Duration.ofHours(24)))).isEqualTo(1);
    assertThat(updates.findById(501)).isEmpty();

    TelegramOffsetDao offsets = storage.dao(TelegramOffsetDao.class);
    assertThat(offsets.findNextOffset("bot")).isEmpty();
    offsets.upsert("bot", 10, T0);
    offsets.upsert("bot", 11, T0.plusSeconds(1));
    assertThat(offsets.findNextOffset("bot")).contains(11L);
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void unparsableUpdatesKeepReasonAndBoundedJson(TestDatabase db) {
    ProcessedUpdateDao updates = db.storage().dao(ProcessedUpdateDao.class);
    String raw = "{\"update_id\":600,\"message\":{\"text\":\"" + "x".repeat(5000) + "\"}}";
    assertThat(updates.insertUnparsable(600, T0, "message.date: not a number", raw)).isTrue();
    assertThat(updates.insertUnparsable(600, T0, "again", "{}")).as("duplicate").isFalse();
    assertThat(updates.insertUnparsable(601, T0.plusSeconds(1), "r".repeat(700), "{}")).isTrue();
    updates.insertIfAbsent(ProcessedUpdate.received(602, 7L, T0.plusSeconds(2)));
    updates.updateStatus(602, UpdateStatus.IGNORED);
    updates.insertIfAbsent(ProcessedUpdate.received(603, 7L, T0.plusSeconds(3)));

    assertThat(updates.findById(600))
        .contains(new ProcessedUpdate(600, null, T0, null, UpdateStatus.IGNORED, null));
    List<IgnoredUpdate> ignored = updates.listIgnored(10);
    assertThat(ignored).extracting(IgnoredUpdate::updateId).containsExactly(602L, 601L, 600L);
    assertThat(ignored.get(0).reason()).as("ignored by design").isNull();
    IgnoredUpdate first = ignored.get(2);
    assertThat(first.reason()).isEqualTo("message.date: not a number");
    assertThat(first.receivedAt()).isEqualTo(T0);
    assertThat(first.rawUpdate()).hasSize(4096).startsWith("{\"update_id\":600,").endsWith("...");
    assertThat(ignored.get(1).reason()).hasSize(500);
    assertThat(updates.listUnparsable(10))
        .extracting(IgnoredUpdate::updateId)
        .containsExactly(601L, 600L);
    assertThat(updates.listUnparsable(1)).extracting(IgnoredUpdate::updateId).containsExactly(601L);
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void insertIfAbsentInsideTransactionKeepsTransactionUsable(TestDatabase db) {
    Storage storage = db.storage();
    storage.dao(ProcessedUpdateDao.class).insertIfAbsent(ProcessedUpdate.received(1, null, T0));
    boolean second =
        storage.inTransaction(
            tx -> {
              ProcessedUpdateDao dao = tx.dao(ProcessedUpdateDao.class);
              boolean duplicate = dao.insertIfAbsent(ProcessedUpdate.received(1, null, T0));
              dao.insertIfAbsent(ProcessedUpdate.received(2, null, T0));
              return duplicate;
            });
    assertThat(second).isFalse();
    assertThat(db.count("SELECT COUNT(*) FROM processed_updates")).isEqualTo(2);
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void jobRunsHealthAndSkills(TestDatabase db) {
    Storage storage = db.storage();
    JobRunDao jobs = storage.dao(JobRunDao.class);
    long first = jobs.start("SweepInstancesJob", "n1", T0);
    long second = jobs.start("UpdateSkillsJob", "n1", T0.plusSeconds(1));
    assertThat(second).isNotEqualTo(first);
    assertThat(jobs.finish(first, JobRunStatus.SUCCEEDED, "ok", T0.plusSeconds(2))).isTrue();
    assertThat(jobs.findById(first))
        .contains(
            new JobRun(
                first,
                "SweepInstancesJob",
                "n1",
                T0,
                T0.plusSeconds(2),
                JobRunStatus.SUCCEEDED,
                "ok"));
    assertThat(jobs.listRecent(10)).extracting(JobRun::id).containsExactly(second, first);
    assertThat(jobs.listRecent(1)).extracting(JobRun::status).containsExactly(JobRunStatus.RUNNING);
    assertThat(jobs.listRecentByJob("SweepInstancesJob", 10)).hasSize(1);

    storage.dao(InstanceDao.class).insert(Rows.instance("i-1", null, "w1", 18000));
    HealthResultDao health = storage.dao(HealthResultDao.class);
    long h1 = health.insert(new HealthResult(0, "i-1", T0, true, false, 12L, "starting"));
    long h2 = health.insert(new HealthResult(0, "i-1", T0.plusSeconds(30), true, true, null, null));
    assertThat(health.listRecent("i-1", 10))
        .containsExactly(
            new HealthResult(h2, "i-1", T0.plusSeconds(30), true, true, null, null),
            new HealthResult(h1, "i-1", T0, true, false, 12L, "starting"));
    assertThat(health.deleteCheckedBefore(T0.plusSeconds(1))).isEqualTo(1);

    SkillInstallDao skills = storage.dao(SkillInstallDao.class);
    skills.upsert(
        new SkillInstall(0, "i-1", "weather", null, SkillInstallStatus.FAILED, "offline", T0));
    skills.upsert(
        new SkillInstall(
            0, "i-1", "weather", "1.2.0", SkillInstallStatus.INSTALLED, null, T0.plusSeconds(9)));
    skills.upsert(
        new SkillInstall(0, "i-1", "calendar", "0.1.0", SkillInstallStatus.INSTALLED, null, T0));
    List<SkillInstall> installed = skills.listByInstance("i-1");
    assertThat(installed).extracting(SkillInstall::slug).containsExactly("calendar", "weather");
    assertThat(skills.findByInstanceAndSlug("i-1", "weather").orElseThrow())
        .extracting(
            SkillInstall::version,
            SkillInstall::status,
            SkillInstall::detail,
            SkillInstall::installedAt)
        .containsExactly("1.2.0", SkillInstallStatus.INSTALLED, null, T0.plusSeconds(9));
  }
}
