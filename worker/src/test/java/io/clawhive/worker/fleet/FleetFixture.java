package io.clawhive.worker.fleet;

import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.testing.TestDatabase;
import io.clawhive.core.testing.TestDatabases;
import io.clawhive.worker.gateway.ModelProvider;
import io.clawhive.worker.instance.PortAllocator;
import io.clawhive.worker.limits.ResourceLimiter;
import io.clawhive.worker.process.GatewayLauncher;
import io.clawhive.worker.process.LauncherSettings;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.sandbox.IsolationConfig;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.supervision.SupervisionPolicy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** Fleets of stand-in gateways on a fresh H2 database; stops everything it started. */
final class FleetFixture implements AutoCloseable {

  static final String NODE = "fleet-test-node";
  static final ModelProvider MODEL =
      new ModelProvider("fake", "http://127.0.0.1:9/v1", "fake-key", null, List.of("fake-model"));
  static final long DISK_QUOTA = 8L * 1024 * 1024;

  /** Notices sent to tenants, in order. */
  record Notice(long tenantId, String text) {}

  final TestDatabase db = TestDatabases.h2();
  final Storage storage = db.storage();
  final Path instancesDir;
  final List<Notice> notices = new CopyOnWriteArrayList<>();
  final MetricRegistry metrics = new MetricRegistry();
  private final List<Fleet> fleets = new ArrayList<>();
  private final List<GatewayLauncher> launchers = new ArrayList<>();

  FleetFixture(Path dir) throws Exception {
    this.instancesDir = StandIn.instancesRoot(dir);
  }

  /** Millisecond probes and back-off, three starts a minute. */
  static SupervisionPolicy fastPolicy() {
    return SupervisionPolicy.builder()
        .probeTimeout(Duration.ofMillis(500))
        .readinessPeriod(Duration.ofMillis(100))
        .startupTimeout(Duration.ofSeconds(30))
        .livenessPeriod(Duration.ofMillis(250))
        .thresholds(2, 3)
        .backoff(Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofMinutes(10))
        .startLimit(3, Duration.ofMinutes(1))
        .stopGrace(Duration.ofSeconds(3))
        .build();
  }

  FleetSettings settings(int poolSize, List<String> program) {
    return new FleetSettings(
        NODE,
        instancesDir,
        new PortAllocator(43_000, 44_980, PortAllocator.MIN_STRIDE),
        poolSize,
        StandIn.SMALL_LIMITS,
        fastPolicy(),
        Duration.ofMinutes(30),
        DISK_QUOTA,
        Duration.ofMinutes(10),
        List.of(),
        Optional.empty(),
        program,
        StandIn.NO_RUNTIME,
        MODEL);
  }

  FleetSettings settings(int poolSize) {
    return settings(poolSize, StandIn.program());
  }

  Fleet fleet(FleetSettings settings) {
    return fleet(settings, ConfigCheck.NONE, SkillSource.UNAVAILABLE);
  }

  Fleet fleet(FleetSettings settings, ConfigCheck check, SkillSource skills) {
    return fleet(settings, check, skills, noIsolation());
  }

  /** Mode none for several tenants: gateways run as this JVM's user, no egress rules. */
  static Isolation noIsolation() {
    IsolationConfig config = new IsolationConfig();
    config.setMode("none");
    config.setAllowSharedNone(true);
    return Isolation.forMode(config, 8);
  }

  Fleet fleet(FleetSettings settings, ConfigCheck check, SkillSource skills, Isolation isolation) {
    return fleet(settings, check, skills, isolation, ModelAccess.fixed(settings.model()));
  }

  Fleet fleet(
      FleetSettings settings,
      ConfigCheck check,
      SkillSource skills,
      Isolation isolation,
      ModelAccess modelAccess) {
    GatewayLauncher launcher =
        new GatewayLauncher(
            LauncherSettings.defaults(),
            ResourceLimiter.detect(StandIn.LIMITER_SETTINGS),
            Clock.systemUTC());
    launchers.add(launcher);
    Fleet fleet =
        new Fleet(
            settings,
            storage,
            launcher,
            check,
            skills,
            new FleetMetrics(metrics),
            isolation,
            modelAccess,
            Clock.systemUTC());
    fleet.setNotices((tenant, text) -> notices.add(new Notice(tenant, text)));
    fleets.add(fleet);
    return fleet;
  }

  Instance row(String instanceId) {
    return storage.dao(InstanceDao.class).findById(instanceId).orElseThrow();
  }

  Optional<Instance> rowOfTenant(long tenant) {
    return storage.dao(InstanceDao.class).findByTenant(tenant);
  }

  List<Instance> rows() {
    return storage.dao(InstanceDao.class).listAll();
  }

  static boolean alive(Long pid) {
    return pid != null && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Override
  public void close() {
    for (Fleet fleet : fleets) {
      if (fleet.isRunning()) {
        fleet.stop();
      }
    }
    launchers.forEach(GatewayLauncher::close);
    db.close();
  }
}
