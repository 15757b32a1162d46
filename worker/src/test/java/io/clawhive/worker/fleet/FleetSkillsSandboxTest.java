package io.clawhive.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.SkillOutcome;
import io.clawhive.core.storage.SkillVersion;
import io.clawhive.core.storage.SkillVersionDao;
import io.clawhive.worker.fakes.FakeClawHubRegistry;
import io.clawhive.worker.fakes.InstalledRuntime;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.sandbox.SandboxHost;
import io.clawhive.worker.skills.SkillInstallResult;
import io.clawhive.worker.skills.SkillPolicy;
import io.clawhive.worker.skills.SkillUpdate;
import io.clawhive.worker.standin.StandIn;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As root, real sandbox, the runtime's real clawhub run as the tenant against the fake registry: a
 * new instance gets the recommended skill and its version is recorded from the lock; a slug off the
 * allowlist is refused without reaching the registry; a hibernated instance is updated on its files
 * (from → to recorded) without being woken. Run under the root-tests lock.
 */
class FleetSkillsSandboxTest {

  private static final String PREFIX = "clawsk-";
  private static final String ID = "skills01";
  private static final String MD = "---\nname: %s\n---\n# %s %s\n";

  @TempDir java.nio.file.Path dir;

  private final SystemUsers users = new SystemUsers(PREFIX);
  private FleetFixture f;
  private Isolation isolation;
  private FakeClawHubRegistry registry;
  private Runnable restoreForwarding;

  @BeforeEach
  void setUp() throws Exception {
    SandboxHost.assumeSandboxHost();
    InstalledRuntime.assumeInstalled();
    f = new FleetFixture(dir);
    restoreForwarding = SandboxHost.forwardingRestorer();
    // clawhub runs in the instance's namespace: the fake registry listens on the worker address
    int registryPort = StandIn.port();
    isolation = SandboxHost.reaching(registryPort);
    registry =
        FakeClawHubRegistry.start(SandboxHost.onWorkerAddress(isolation, registryPort))
            .addSkill("weather", "1.0.0", MD.formatted("weather", "weather", "1.0.0"))
            .addSkill("notes", "1.0.0", MD.formatted("notes", "notes", "1.0.0"))
            .addSkill("crypto-drainer", "6.6.6", MD.formatted("x", "x", "6.6.6"));
  }

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (isolation != null) {
      isolation.uninstall();
    }
    if (restoreForwarding != null) {
      restoreForwarding.run();
    }
    users.find(users.nameFor(ID)).ifPresent(users::delete);
  }

  @Test
  void installsRecordsRefusesAndUpdatesAHibernatedInstanceWithoutWakingIt() throws Exception {
    FleetSettings base = f.settings(0);
    RuntimeLayout runtime = InstalledRuntime.assumeInstalled().layout();
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
            List.of("weather"),
            Optional.of(PREFIX),
            base.gatewayProgram(),
            runtime,
            base.model());
    SkillPolicy policy = SkillPolicy.parse(List.of("weather", "notes"), List.of());
    Fleet fleet =
        f.fleet(
            settings,
            ConfigCheck.NONE,
            SkillSource.clawhub(runtime, Optional.of(registry.url()), policy, 2),
            isolation);
    fleet.start();
    String id = fleet.createForTenant(5L, ID);
    InstanceLayout layout = InstanceLayout.of(settings.instancesDir(), id);
    SkillVersionDao versions = f.storage.dao(SkillVersionDao.class);

    SkillVersion weather = versions.find(id, "weather").orElseThrow();
    assertThat(weather.version()).isEqualTo("1.0.0");
    assertThat(weather.lastOutcome()).isEqualTo(SkillOutcome.INSTALLED);
    assertThat(weather.sourceHash()).isNotBlank();
    assertThat(weather.installedAt()).isNotNull();
    assertThat(Files.getOwner(layout.workspaceDir().resolve("skills/weather/SKILL.md")).getName())
        .as("installed by the tenant, in its sandbox")
        .isEqualTo(users.nameFor(ID));

    List<SkillInstallResult> installed =
        fleet.installSkills(id, List.of("crypto-drainer", "notes"));
    assertThat(installed)
        .extracting(SkillInstallResult::slug, SkillInstallResult::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "crypto-drainer", SkillInstallResult.Status.REFUSED),
            org.assertj.core.groups.Tuple.tuple("notes", SkillInstallResult.Status.INSTALLED));
    assertThat(installed.get(0).detail()).contains("not on the skill allowlist");
    assertThat(versions.find(id, "crypto-drainer").orElseThrow().lastOutcome())
        .isEqualTo(SkillOutcome.REFUSED);
    assertThat(registry.requests()).noneMatch(r -> r.contains("crypto-drainer"));

    fleet.hibernateInstance(id, "test");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> fleet.stateOf(5L).orElseThrow() == InstanceState.HIBERNATED);
    registry.addSkill("weather", "1.1.0", MD.formatted("weather", "weather", "1.1.0"));

    List<SkillUpdate> updates = fleet.updateSkills(id, List.of(), null, null);

    assertThat(updates)
        .extracting(SkillUpdate::slug, SkillUpdate::outcome, SkillUpdate::toVersion)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("weather", SkillOutcome.UPDATED, "1.1.0"),
            org.assertj.core.groups.Tuple.tuple("notes", SkillOutcome.UP_TO_DATE, "1.0.0"));
    assertThat(versions.find(id, "weather").orElseThrow())
        .extracting(SkillVersion::version, SkillVersion::fromVersion, SkillVersion::toVersion)
        .containsExactly("1.1.0", "1.0.0", "1.1.0");
    assertThat(fleet.stateOf(5L)).as("not woken for the update").hasValue(InstanceState.HIBERNATED);
    assertThat(Files.readString(layout.workspaceDir().resolve("skills/weather/SKILL.md")))
        .contains("1.1.0");
  }
}
