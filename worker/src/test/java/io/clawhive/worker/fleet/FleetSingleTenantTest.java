package io.clawhive.worker.fleet;

import static io.clawhive.worker.fleet.FleetFixture.alive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clawhive.core.storage.HostSeat;
import io.clawhive.core.storage.HostSeatDao;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.sandbox.IsolationConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mode none without allowSharedNone: one seat per worker, decided in storage; a second tenant gets
 * no gateway whatever the capacity or pool size says. Stand-in gateways, H2.
 */
class FleetSingleTenantTest {

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

  static Isolation isolation(boolean shared) {
    IsolationConfig config = new IsolationConfig();
    config.setMode("none");
    config.setAllowSharedNone(shared);
    return Isolation.forMode(config, 8);
  }

  private Fleet fleet(int poolSize, boolean shared) {
    return f.fleet(
        f.settings(poolSize), ConfigCheck.NONE, SkillSource.UNAVAILABLE, isolation(shared));
  }

  private HostSeat seat() {
    return f.storage.dao(HostSeatDao.class).findById(FleetFixture.NODE).orElseThrow();
  }

  @Test
  void theFirstTenantTakesTheSeatAndASecondGetsNoGateway() {
    Fleet fleet = fleet(0, false);
    fleet.start();
    assertThat(seat().tenantId()).isNull();

    assertThat(fleet.gatewayFor(7L).chat("s", "hi").content()).isEqualTo("echo: hi (turn 1)");

    assertThat(seat().tenantId()).isEqualTo(7L);
    assertThatThrownBy(() -> fleet.gatewayFor(8L))
        .isInstanceOf(SeatTakenException.class)
        .hasMessageContaining("tenant 8")
        .hasMessageContaining("serves one person only");
    assertThatThrownBy(() -> fleet.createForTenant(8L, "second-tenant"))
        .isInstanceOf(SeatTakenException.class);
    assertThat(f.rowOfTenant(8L)).isEmpty();
    assertThat(f.rows()).hasSize(1);
    assertThat(fleet.liveCount()).isEqualTo(1);
    assertThat(fleet.gatewayFor(7L).chat("s", "again").content()).endsWith("(turn 2)");
  }

  @Test
  void theSeatSurvivesARestartOfTheWorker() {
    Fleet first = fleet(0, false);
    first.start();
    first.gatewayFor(7L);
    first.stop();

    Fleet second = fleet(0, false);
    second.start();

    assertThat(seat().tenantId()).isEqualTo(7L);
    assertThatThrownBy(() -> second.gatewayFor(8L)).isInstanceOf(SeatTakenException.class);
    assertThat(second.gatewayFor(7L).chat("s", "back").content()).startsWith("echo: back");
  }

  @Test
  void thePoolKeepsOneSpareUntilTheSeatIsTakenThenNone() {
    Fleet fleet = fleet(3, false);
    fleet.start();
    assertThat(fleet.poolTarget()).isEqualTo(1);

    fleet.housekeepNow();
    fleet.housekeepNow();

    List<Instance> spares = f.rows();
    assertThat(spares).hasSize(1);
    assertThat(spares.get(0).tenantId()).isNull();
    String spare = spares.get(0).id();

    fleet.gatewayFor(7L); // claims the spare

    assertThat(f.rowOfTenant(7L).orElseThrow().id()).isEqualTo(spare);
    assertThat(fleet.poolTarget()).isZero();
    fleet.housekeepNow();
    assertThat(f.rows()).hasSize(1);
    assertThatThrownBy(() -> fleet.createPooled("another-spare"))
        .isInstanceOf(InstanceUnavailableException.class)
        .hasMessageContaining("single-tenant");
    assertThat(f.rows()).hasSize(1);
    assertThat(fleet.liveCount()).isEqualTo(1);
  }

  @Test
  void aReservedSeatGoesOnlyToItsTenant() {
    Fleet fleet = fleet(0, false);
    fleet.start();
    f.storage.dao(HostSeatDao.class).reserve(FleetFixture.NODE, 9L);

    assertThatThrownBy(() -> fleet.gatewayFor(7L)).isInstanceOf(SeatTakenException.class);
    assertThat(seat().tenantId()).isNull();
    assertThat(f.rows()).isEmpty();

    fleet.gatewayFor(9L);
    assertThat(seat().tenantId()).isEqualTo(9L);
  }

  @Test
  void concurrentFirstClaimsLeaveExactlyOneHolder() throws Exception {
    Fleet fleet = fleet(0, false);
    fleet.start();
    HostSeatDao seats = f.storage.dao(HostSeatDao.class);
    List<Thread> threads = new java.util.ArrayList<>();
    for (long tenant = 100; tenant < 108; tenant++) {
      long t = tenant;
      Thread thread = new Thread(() -> seats.claim(FleetFixture.NODE, t, Instant.now()));
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    long holder = seat().tenantId();
    assertThat(holder).isBetween(100L, 107L);
    for (long tenant = 100; tenant < 108; tenant++) {
      assertThat(seats.claim(FleetFixture.NODE, tenant, Instant.now()).orElseThrow().tenantId())
          .isEqualTo(holder);
    }
  }

  @Test
  void sharedModeDropsTheSeatAndServesSeveralTenants() {
    Fleet single = fleet(0, false);
    single.start();
    single.gatewayFor(7L);
    single.stop();

    Fleet shared = fleet(0, true);
    shared.start();

    assertThat(f.storage.dao(HostSeatDao.class).findById(FleetFixture.NODE)).isEmpty();
    assertThat(shared.gatewayFor(8L).chat("s", "hi").content()).isEqualTo("echo: hi (turn 1)");
    assertThat(shared.gatewayFor(7L).chat("s", "hi").content()).startsWith("echo: hi");
    assertThat(f.rowOfTenant(8L).orElseThrow().actualState()).isEqualTo(InstanceState.RUNNING);
    assertThat(alive(f.rowOfTenant(8L).orElseThrow().pid())).isTrue();
  }
}
