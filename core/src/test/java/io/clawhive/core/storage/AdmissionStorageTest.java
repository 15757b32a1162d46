package io.clawhive.core.storage;

import static io.clawhive.core.storage.Rows.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.clawhive.core.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The waiting line, the cluster lock and free ports (migration 008), on H2 and PostgreSQL. */
@Tag("infra")
class AdmissionStorageTest {

  private static final String ALL = "io.clawhive.core.testing.TestDatabases#all";
  private static final Instant STALE = T0.minusSeconds(120);

  @ParameterizedTest
  @MethodSource(ALL)
  void theLineKeepsArrivalOrderAndEachWaitingTenantGoesToOneWorker(TestDatabase db) {
    AdmissionWaitDao line = db.storage().dao(AdmissionWaitDao.class);
    assertThat(line.insertIfAbsent(5, "task-a", "{\"a\":1}", T0)).isTrue();
    assertThat(line.insertIfAbsent(6, "task-b", "{}", T0.plusMillis(1))).isTrue();
    assertThat(line.insertIfAbsent(5, "task-c", "{}", T0.plusMillis(2))).isTrue();
    assertThat(line.insertIfAbsent(7, "task-d", "{}", T0.plusMillis(3))).isTrue();
    assertThat(line.insertIfAbsent(5, "task-a", "{}", T0)).as("redelivered").isFalse();

    assertThat(line.positionOf(5)).isEqualTo(1);
    assertThat(line.positionOf(6)).isEqualTo(2);
    assertThat(line.positionOf(7)).isEqualTo(3);
    assertThat(line.positionOf(8)).isZero();
    assertThat(line.countTenants()).isEqualTo(3);
    assertThat(line.countWaitingOf(5, STALE)).isEqualTo(2);

    // tenant 6 has an instance on worker w2: worker w1 cannot serve them and skips them
    db.storage().dao(TenantDao.class).insert(Rows.tenant(6));
    db.storage().dao(InstanceDao.class).insert(Rows.instance("i-6", 6L, "w2", 18000));
    assertThat(line.findFirstServableBy("w1", STALE)).contains(5L);

    assertThat(line.claim(5, "w1", T0, STALE)).isEqualTo(2);
    assertThat(line.claim(5, "w2", T0, STALE)).as("taken already").isZero();
    assertThat(line.countWaitingOf(5, STALE)).isZero();
    assertThat(line.findFirstServableBy("w1", STALE)).contains(7L);
    assertThat(line.findFirstServableBy("w2", STALE)).contains(6L);
    assertThat(line.listClaimed(5, "w1"))
        .extracting(AdmissionWait::taskId)
        .containsExactly("task-a", "task-c");
    assertThat(line.listClaimed(5, "w1").get(0).task()).isEqualTo("{\"a\":1}");

    // a claim older than the cutoff was abandoned: another worker takes over
    Instant later = T0.plusSeconds(300);
    assertThat(line.claim(5, "w2", later, later.minusSeconds(120))).isEqualTo(2);
    assertThat(line.unclaim(5, "w2")).isEqualTo(2);
    assertThat(line.findFirstServableBy("w1", STALE)).contains(5L);

    for (AdmissionWait wait : line.listAll()) {
      assertThat(line.delete(wait.id())).isTrue();
    }
    assertThat(line.countAll()).isZero();
    assertThat(line.findFirstServableBy("w1", STALE)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void theClusterLockMakesASecondTransactionWait(TestDatabase db) throws Exception {
    Storage storage = db.storage();
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> first =
        CompletableFuture.runAsync(
            () ->
                storage.inTransaction(
                    tx -> {
                      tx.dao(ClusterLockDao.class).lock(ClusterLockDao.TENANT_CAP);
                      locked.countDown();
                      try {
                        release.await(20, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return null;
                    }));
    assertThat(locked.await(20, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Boolean> second =
        CompletableFuture.supplyAsync(
            () ->
                storage.inTransaction(
                    tx -> {
                      tx.dao(ClusterLockDao.class).lock(ClusterLockDao.TENANT_CAP);
                      return true;
                    }));
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !second.isDone());
    release.countDown();
    first.get(20, TimeUnit.SECONDS);
    assertThat(second.get(20, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(
            () ->
                storage.inTransaction(
                    tx -> {
                      tx.dao(ClusterLockDao.class).lock("no-such-lock");
                      return null;
                    }))
        .hasMessageContaining("cluster lock no-such-lock is missing");
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void freePortsAreUnknownUntilReported(TestDatabase db) {
    WorkerDao workers = db.storage().dao(WorkerDao.class);
    workers.upsertHeartbeat(
        new WorkerNode("w1", "host", 8, 0, null, null, T0, T0, WorkerStatus.UP));
    assertThat(workers.findFreePorts("w1")).isEmpty();
    assertThat(workers.updateFreePorts("w1", 0)).isTrue();
    assertThat(workers.findFreePorts("w1")).contains(0);
    workers.upsertHeartbeat(
        new WorkerNode("w1", "host", 8, 1, null, null, T0, T0.plusSeconds(10), WorkerStatus.UP));
    assertThat(workers.findFreePorts("w1")).as("a heartbeat keeps it").contains(0);
    assertThat(workers.findFreePorts("w9")).isEmpty();
  }
}
