package io.clawhive.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admission on one worker: capacity, eviction of idle gateways, leases, memory, pool, ports. */
class FleetSeatingTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final long NO_MEMORY_CHECK = 0;

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

  private Fleet fleet(int capacity, int poolSize) {
    Fleet fleet = f.fleet(f.settings(poolSize));
    fleet.limitSeats(capacity, NO_MEMORY_CHECK, OptionalLong::empty);
    fleet.start();
    return fleet;
  }

  /** One message of the tenant, handled to the end: admitted, answered, released. */
  private void message(Fleet fleet, long tenant) {
    assertThat(fleet.admit(tenant, true)).as("tenant %d admitted", tenant).isTrue();
    try {
      assertThat(fleet.gatewayFor(tenant).chat("s-" + tenant, "hi").content()).startsWith("echo");
    } finally {
      fleet.release(tenant);
    }
  }

  private InstanceState stateOf(long tenant) {
    return f.rowOfTenant(tenant).orElseThrow().actualState();
  }

  private long evictions() {
    return f.metrics.getMeters().get(FleetMetrics.EVICTIONS).getCount();
  }

  @Test
  void atCapacityTheLeastRecentlyUsedIdleGatewayIsHibernatedToMakeRoom() {
    Fleet fleet = fleet(2, 0);
    message(fleet, 1);
    message(fleet, 2);
    message(fleet, 1); // tenant 2 is now the least recently used

    message(fleet, 3);

    assertThat(stateOf(2)).isEqualTo(InstanceState.HIBERNATED);
    assertThat(f.rowOfTenant(2).orElseThrow().desiredState()).isEqualTo(InstanceState.HIBERNATED);
    assertThat(stateOf(1)).isEqualTo(InstanceState.RUNNING);
    assertThat(stateOf(3)).isEqualTo(InstanceState.RUNNING);
    assertThat(fleet.liveCount()).isEqualTo(2);
    assertThat(evictions()).isEqualTo(1);

    // waking tenant 2 takes the seat of the idlest again (tenant 1), files kept
    message(fleet, 2);
    assertThat(stateOf(1)).isEqualTo(InstanceState.HIBERNATED);
    assertThat(stateOf(2)).isEqualTo(InstanceState.RUNNING);
    assertThat(fleet.liveCount()).isEqualTo(2);
    assertThat(evictions()).isEqualTo(2);
    assertThat(f.storage.dao(InstanceDao.class).countLiveByWorker(FleetFixture.NODE)).isEqualTo(2);
  }

  @Test
  void gatewaysInUseAreNeverEvictedAndWithoutAnIdleOneThereIsNoSeat() {
    Fleet fleet = fleet(2, 0);
    assertThat(fleet.admit(1, true)).isTrue();
    assertThat(fleet.admit(2, true)).isTrue();
    fleet.gatewayFor(1);
    fleet.gatewayFor(2);

    assertThat(fleet.admit(3, true)).isFalse();
    assertThatThrownBy(() -> fleet.gatewayFor(3))
        .isInstanceOf(NoSeatException.class)
        .hasMessageContaining("2 of 2 gateways live and in use");
    assertThat(f.rowOfTenant(3)).as("nothing was made for tenant 3").isEmpty();
    assertThat(stateOf(1)).isEqualTo(InstanceState.RUNNING);
    assertThat(stateOf(2)).isEqualTo(InstanceState.RUNNING);
    assertThat(evictions()).isZero();

    fleet.release(1);
    assertThat(fleet.admit(3, true)).isTrue();
    assertThat(stateOf(1)).isEqualTo(InstanceState.HIBERNATED);
    assertThat(fleet.liveCount()).isEqualTo(2);
  }

  @Test
  void aTenantWithAGatewayIsAdmittedWhenNewcomersMustWait() {
    Fleet fleet = fleet(3, 0);
    message(fleet, 1);

    assertThat(fleet.admit(1, false)).as("seated already: no new seat needed").isTrue();
    fleet.release(1);
    assertThat(fleet.admit(2, false)).as("a free seat, but others wait for it").isFalse();
    assertThat(f.rowOfTenant(2)).isEmpty();
  }

  @Test
  void aReservedSeatIsKeptForTheTenantComingFromTheWaitingLine() {
    Fleet fleet = fleet(1, 0);
    message(fleet, 1);

    assertThat(fleet.reserve(2)).isTrue(); // evicts idle tenant 1
    assertThat(stateOf(1)).isEqualTo(InstanceState.HIBERNATED);
    await().atMost(WAIT).until(() -> stateOf(2) == InstanceState.RUNNING);

    assertThat(fleet.admit(3, true)).as("tenant 2's seat is reserved").isFalse();
    message(fleet, 2); // the reservation ends with their message
    assertThat(fleet.admit(3, true)).isTrue();
    assertThat(stateOf(2)).isEqualTo(InstanceState.HIBERNATED);
    fleet.release(3);
  }

  @Test
  void aNewGatewayNeedsTheMemoryWhereTheHostReportsIt() {
    AtomicLong hostMemory = new AtomicLong(999);
    AtomicReference<Fleet> held = new AtomicReference<>();
    Fleet fleet = f.fleet(f.settings(0));
    held.set(fleet);
    // every live gateway uses 1000 bytes of the host's memory
    fleet.limitSeats(
        5, 1000, () -> OptionalLong.of(hostMemory.get() - 1000L * held.get().liveCount()));
    fleet.start();

    assertThat(fleet.admit(1, true)).isFalse();
    assertThat(f.rowOfTenant(1)).isEmpty();

    hostMemory.set(1000);
    message(fleet, 1);
    assertThat(fleet.admit(1, true)).as("a running gateway needs no new memory").isTrue();
    fleet.release(1);
    // no memory for a second one: the idle gateway is hibernated to make room
    message(fleet, 2);
    assertThat(stateOf(1)).isEqualTo(InstanceState.HIBERNATED);
    assertThat(fleet.liveCount()).isEqualTo(1);
  }

  private long runningSpares(Fleet fleet) {
    return fleet.members().stream()
        .filter(m -> m.pooled() && m.state() == InstanceState.RUNNING)
        .count();
  }

  @Test
  void thePoolNeverGrowsPastCapacityNorWhileUsersWaitAndGoesFirstToMakeRoom() {
    Fleet fleet = fleet(2, 3);
    AtomicInteger waiting = new AtomicInteger();
    fleet.othersWaitingFrom(() -> waiting.get() > 0);
    fleet.housekeepNow();
    await().atMost(WAIT).until(() -> runningSpares(fleet) == 2);
    assertThat(fleet.liveCount()).isEqualTo(2);

    message(fleet, 1); // claims a pool instance: no new seat
    message(fleet, 2);
    assertThat(evictions()).isZero();
    fleet.hibernateInstance(f.rowOfTenant(1).orElseThrow().id(), "test");
    waiting.set(1);
    fleet.housekeepNow();
    assertThat(fleet.liveCount()).as("no refill while users wait").isEqualTo(1);

    waiting.set(0);
    fleet.housekeepNow();
    await().atMost(WAIT).until(() -> runningSpares(fleet) == 1);
    String spare = fleet.members().stream().filter(Member::pooled).findFirst().orElseThrow().id;

    message(fleet, 1); // waking needs a seat: the idle spare goes, not tenant 2's gateway
    assertThat(f.storage.dao(InstanceDao.class).findById(spare)).isEmpty();
    assertThat(stateOf(2)).isEqualTo(InstanceState.RUNNING);
    assertThat(stateOf(1)).isEqualTo(InstanceState.RUNNING);
    assertThat(fleet.liveCount()).isEqualTo(2);
    assertThat(evictions()).isEqualTo(1);
  }

  @Test
  void hibernatedInstancesKeepTheirPorts() {
    Fleet fleet = fleet(1, 0);
    int before = fleet.freePorts();
    message(fleet, 1);
    message(fleet, 2); // tenant 1 hibernated, port kept

    assertThat(stateOf(1)).isEqualTo(InstanceState.HIBERNATED);
    assertThat(fleet.freePorts()).isEqualTo(before - 2);
    assertThat(fleet.settings().ports().capacity()).isEqualTo(before);
  }
}
