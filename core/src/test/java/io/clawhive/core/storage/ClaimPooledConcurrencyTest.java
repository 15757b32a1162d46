package io.clawhive.core.storage;

import static io.clawhive.core.storage.Rows.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.clawhive.core.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Tag("infra")
class ClaimPooledConcurrencyTest {

  private static final String ALL = "io.clawhive.core.testing.TestDatabases#all";
  private static final int CLAIMERS = 8;
  private static final int POOL_SIZE = 5;
  private static final long TIMEOUT_SECONDS = 60;

  @ParameterizedTest
  @MethodSource(ALL)
  void concurrentClaimersNeverShareAnInstance(TestDatabase db) throws Exception {
    Storage storage = db.storage();
    for (long tenant = 1; tenant <= CLAIMERS; tenant++) {
      storage.dao(TenantDao.class).insert(Rows.tenant(tenant));
    }
    for (int i = 0; i < POOL_SIZE; i++) {
      storage
          .dao(InstanceDao.class)
          .insert(Rows.pooledRunning("p-" + i, "w1", 18000 + 20 * i, T0.plusSeconds(i)));
    }

    List<Optional<Instance>> results =
        runTogether(tenant -> () -> storage.dao(InstanceDao.class).claimPooled("w1", tenant, T0));

    List<Instance> claimed = results.stream().flatMap(Optional::stream).toList();
    assertThat(claimed).hasSize(POOL_SIZE);
    assertThat(claimed).extracting(Instance::id).doesNotHaveDuplicates();
    assertThat(claimed).extracting(Instance::tenantId).doesNotHaveDuplicates();
    assertThat(db.count("SELECT COUNT(*) FROM instances WHERE tenant_id IS NULL")).isZero();
    assertThat(db.count("SELECT COUNT(DISTINCT tenant_id) FROM instances")).isEqualTo(POOL_SIZE);
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void concurrentClaimsForOneTenantGiveItOneInstance(TestDatabase db) throws Exception {
    Storage storage = db.storage();
    storage.dao(TenantDao.class).insert(Rows.tenant(1));
    for (int i = 0; i < POOL_SIZE; i++) {
      storage
          .dao(InstanceDao.class)
          .insert(Rows.pooledRunning("p-" + i, "w1", 18000 + 20 * i, T0.plusSeconds(i)));
    }

    List<Optional<Instance>> results =
        runTogether(
            ignored ->
                () -> {
                  try {
                    return storage.dao(InstanceDao.class).claimPooled(null, 1, T0);
                  } catch (ConstraintViolationStorageException lostRace) {
                    assertThat(lostRace.constraint()).isEqualTo("uq_instances_tenant");
                    return Optional.empty();
                  }
                });

    assertThat(results.stream().flatMap(Optional::stream).toList()).hasSize(1);
    assertThat(db.count("SELECT COUNT(*) FROM instances WHERE tenant_id = 1")).isEqualTo(1);
    assertThat(db.count("SELECT COUNT(*) FROM instances WHERE tenant_id IS NULL"))
        .isEqualTo(POOL_SIZE - 1);
  }

  private interface ClaimFactory {
    Callable<Optional<Instance>> forTenant(long tenant);
  }

  /** Starts all claimers at once and returns their results. */
  private static List<Optional<Instance>> runTogether(ClaimFactory claims) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(CLAIMERS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Optional<Instance>>> futures = new ArrayList<>();
      for (long tenant = 1; tenant <= CLAIMERS; tenant++) {
        Callable<Optional<Instance>> claim = claims.forTenant(tenant);
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return claim.call();
                }));
      }
      start.countDown();
      List<Optional<Instance>> results = new ArrayList<>();
      for (Future<Optional<Instance>> future : futures) {
        results.add(future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }
  }
}
