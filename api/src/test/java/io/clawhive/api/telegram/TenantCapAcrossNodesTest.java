package io.clawhive.api.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.core.testing.TestDatabase;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The cap on active tenants holds across api nodes: two routers (as two api nodes would have) on
 * one database admit many new users at once, and exactly the cap become ACTIVE. On H2 and
 * PostgreSQL.
 */
@Tag("infra")
class TenantCapAcrossNodesTest {

  private static final int CAP = 5;
  private static final int USERS = 40;
  private static final int THREADS = 8;

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestDatabases#all")
  void twoApiNodesNeverAdmitMoreThanTheCapBetweenThem(TestDatabase db) throws Exception {
    Storage storage = db.storage();
    Clock clock = Clock.systemUTC();
    // routing is not exercised: no publisher needed
    List<TenantRouter> nodes =
        List.of(
            new TenantRouter(storage, new Placement(storage, clock), null, CAP, clock),
            new TenantRouter(storage, new Placement(storage, clock), null, CAP, clock));
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Tenant>> admitted = new ArrayList<>();
    try {
      for (int u = 0; u < USERS; u++) {
        long user = 9000 + u;
        TenantRouter node = nodes.get(u % 2);
        admitted.add(
            pool.submit(
                () -> {
                  go.await();
                  return node.admit(user, user, "u" + user, true);
                }));
      }
      go.countDown();
      long active = 0;
      for (Future<Tenant> f : admitted) {
        if (f.get(60, TimeUnit.SECONDS).status() == TenantStatus.ACTIVE) {
          active++;
        }
      }
      assertThat(active).isEqualTo(CAP);
    } finally {
      pool.shutdownNow();
    }
    TenantDao tenants = storage.dao(TenantDao.class);
    assertThat(tenants.countByStatus(TenantStatus.ACTIVE)).isEqualTo(CAP);
    assertThat(tenants.countByStatus(TenantStatus.WAITLISTED)).isEqualTo(USERS - CAP);

    // a waitlisted user is promoted once a seat under the cap frees, on either node
    Tenant waiting = tenants.listByStatus(TenantStatus.WAITLISTED).get(0);
    Tenant active = tenants.listByStatus(TenantStatus.ACTIVE).get(0);
    tenants.updateStatus(active.id(), TenantStatus.BLOCKED, clock.instant());
    assertThat(nodes.get(1).admit(waiting.id(), waiting.chatId(), "w", true).status())
        .isEqualTo(TenantStatus.ACTIVE);
    assertThat(tenants.countByStatus(TenantStatus.ACTIVE)).isEqualTo(CAP);
  }
}
