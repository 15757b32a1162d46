package io.clawhive.api.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clawhive.core.storage.HostSeatDao;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.core.storage.WorkerDao;
import io.clawhive.core.storage.WorkerNode;
import io.clawhive.core.storage.WorkerStatus;
import io.clawhive.core.testing.TestDatabase;
import io.clawhive.core.testing.TestDatabases;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Placement against the seats of single-tenant workers, on H2. */
class PlacementTest {

  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private final TestDatabase db = TestDatabases.h2();
  private final Storage storage = db.storage();

  @AfterEach
  void tearDown() {
    db.close();
  }

  private void worker(String node, int capacity, int live) {
    storage
        .dao(WorkerDao.class)
        .upsertHeartbeat(
            new WorkerNode(node, "host", capacity, live, null, null, NOW, NOW, WorkerStatus.UP));
  }

  private HostSeatDao seats() {
    return storage.dao(HostSeatDao.class);
  }

  @Test
  void aSingleTenantWorkerTakesTheFirstTenantOnlyWhateverItsCapacity() {
    worker("solo", 50, 0);
    seats().open("solo", null, NOW);
    Placement placement = new Placement(storage, CLOCK);

    assertThat(placement.workerFor(7L)).isEqualTo("solo");

    assertThat(seats().findById("solo").orElseThrow().tenantId()).isEqualTo(7L);
    assertThatThrownBy(() -> placement.workerFor(8L))
        .isInstanceOf(Placement.SeatTakenException.class)
        .hasMessageContaining("tenant 8");
    assertThat(placement.workerFor(7L)).isEqualTo("solo");
    assertThat(seats().findById("solo").orElseThrow().tenantId()).isEqualTo(7L);
  }

  @Test
  void theFirstAllowedUserIsTheOnlyOneWhoMayGetTheSeat() {
    worker("solo", 1, 0);
    seats().open("solo", null, NOW);
    Placement placement = new Placement(storage, CLOCK, Optional.of(42L));

    assertThatThrownBy(() -> placement.workerFor(7L))
        .isInstanceOf(Placement.SeatTakenException.class);
    assertThat(seats().findById("solo").orElseThrow().tenantId()).isNull();

    assertThat(placement.workerFor(42L)).isEqualTo("solo");
    assertThat(seats().findById("solo").orElseThrow().tenantId()).isEqualTo(42L);
    assertThat(seats().findById("solo").orElseThrow().reservedFor()).isEqualTo(42L);
  }

  @Test
  void aSharedWorkerTakesTheOthersWhenTheSeatIsTaken() {
    worker("solo", 10, 0);
    worker("shared", 4, 3);
    seats().open("solo", null, NOW);
    Placement placement = new Placement(storage, CLOCK);

    assertThat(placement.workerFor(7L)).isEqualTo("solo"); // most free capacity, seat free
    assertThat(placement.workerFor(8L)).isEqualTo("shared");
    assertThat(placement.workerFor(9L)).isEqualTo("shared");
    assertThat(placement.workerFor(7L)).isEqualTo("solo"); // the seat holder goes back to it
  }

  @Test
  void aSeatClaimedByTheWorkerMeanwhileIsRespected() {
    worker("solo", 1, 0);
    seats().open("solo", null, NOW);
    seats().claim("solo", 5L, NOW); // e.g. the worker claimed it for an earlier task

    assertThatThrownBy(() -> new Placement(storage, CLOCK).workerFor(7L))
        .isInstanceOf(Placement.SeatTakenException.class);
    assertThat(new Placement(storage, CLOCK).workerFor(5L)).isEqualTo("solo");
  }

  @Test
  void withoutSeatsPlacementIsByFreeCapacity() {
    worker("a", 4, 3);
    worker("b", 4, 1);

    assertThat(new Placement(storage, CLOCK).workerFor(7L)).isEqualTo("b");
    assertThat(seats().listAll()).isEmpty();
  }

  private static final long GIB = 1024L * 1024 * 1024;

  @Test
  void liveRowsInStorageCountBeforeTheNextHeartbeatDoes() {
    worker("a", 3, 0); // heartbeat says empty, but three gateways went live since
    worker("b", 2, 1);
    for (int i = 0; i < 3; i++) {
      storage.dao(TenantDao.class).insert(tenant(100 + i));
      storage
          .dao(InstanceDao.class)
          .insert(
              Instance.provisioning(
                  "i-" + i, 100L + i, "a", 20_000 + 20 * i, "t", null, "/x", NOW));
    }

    assertThat(new Placement(storage, CLOCK).workerFor(7L)).isEqualTo("b");
  }

  @Test
  void aWorkerWhoseMemoryIsTakenHasNoFreeSeat() {
    storage
        .dao(WorkerDao.class)
        .upsertHeartbeat(
            new WorkerNode("roomy", "h", 10, 0, 7 * GIB, 8 * GIB, NOW, NOW, WorkerStatus.UP));
    worker("small", 2, 1);

    assertThat(new Placement(storage, CLOCK).workerFor(7L)).isEqualTo("small");
    WorkerNode roomy = storage.dao(WorkerDao.class).findById("roomy").orElseThrow();
    assertThat(Placement.freeSeats(roomy, 0)).isZero();
    assertThat(Placement.freeSeats(roomy, 12)).as("never negative").isZero();
  }

  @Test
  void aWorkerWithoutAFreePortComesLastUnlessItHasASparePoolInstance() {
    worker("a", 10, 0);
    worker("b", 10, 8);
    storage.dao(WorkerDao.class).updateFreePorts("a", 0);
    storage.dao(WorkerDao.class).updateFreePorts("b", 3);

    assertThat(new Placement(storage, CLOCK).workerFor(7L)).isEqualTo("b");

    Instance spare = Instance.provisioning("spare", null, "a", 20_000, "t", null, "/x", NOW);
    storage.dao(InstanceDao.class).insert(spare);
    storage
        .dao(InstanceDao.class)
        .updateActualState("spare", spare.actualState(), InstanceState.RUNNING, NOW);
    storage.dao(InstanceDao.class).updateDesiredState("spare", InstanceState.RUNNING, NOW);
    assertThat(new Placement(storage, CLOCK).workerFor(8L)).isEqualTo("a");
  }

  @Test
  void whenEveryWorkerIsFullTheTenantStillGoesToOneWhichThenDecides() {
    worker("a", 2, 2);
    worker("b", 3, 5);

    assertThat(new Placement(storage, CLOCK).workerFor(7L)).isIn("a", "b");
  }

  private static Tenant tenant(long id) {
    return new Tenant(id, id, "u", "s-" + id, TenantStatus.ACTIVE, NOW, NOW);
  }
}
