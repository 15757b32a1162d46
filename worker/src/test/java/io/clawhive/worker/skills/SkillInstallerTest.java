package io.clawhive.worker.skills;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.core.storage.SkillOutcome;
import io.clawhive.worker.fakes.FakeClawHubRegistry;
import io.clawhive.worker.fakes.InstalledRuntime;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.skills.SkillInstallResult.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real {@code clawhub install} from the pinned runtime against a fake registry. */
class SkillInstallerTest {

  private static final String SKILL_MD =
      "---\nname: weather\ndescription: Weather lookups\n---\n# Weather\n";

  @TempDir Path dir;

  private RuntimeLayout runtime;
  private FakeClawHubRegistry registry;
  private Path workspace;
  private Path home;
  private Path clawhubConfig;

  @BeforeEach
  void setUp() throws Exception {
    runtime = InstalledRuntime.assumeInstalled().layout();
    registry = FakeClawHubRegistry.start().addSkill("weather", "1.2.0", SKILL_MD);
    workspace = Files.createDirectories(dir.resolve("workspace"));
    home = Files.createDirectories(dir.resolve("home"));
    clawhubConfig = dir.resolve("clawhub/config.json");
  }

  @AfterEach
  void tearDown() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void installsAKnownSkillAndRecordsAMissingOneAsFailed() throws Exception {
    SkillInstaller installer = installer();

    List<SkillInstallResult> results =
        installer.install(
            "inst-s", workspace, home, clawhubConfig, List.of("no-such-skill", "weather"));

    assertThat(results)
        .extracting(SkillInstallResult::slug)
        .containsExactly("no-such-skill", "weather");
    SkillInstallResult missing = results.get(0);
    assertThat(missing.status()).isEqualTo(Status.FAILED);
    assertThat(missing.detail())
        .startsWith("clawhub install exit 1: ")
        .containsIgnoringCase("not found");
    SkillInstallResult weather = results.get(1);
    assertThat(weather.status()).isEqualTo(Status.INSTALLED);
    assertThat(weather.version()).hasValue("1.2.0");
    assertThat(workspace.resolve("skills/weather/SKILL.md")).hasContent(SKILL_MD.strip());
    JsonNode lock = new ObjectMapper().readTree(workspace.resolve(".clawhub/lock.json").toFile());
    assertThat(lock.at("/skills/weather/version").asText()).isEqualTo("1.2.0");
    assertThat(lock.at("/skills/no-such-skill").isMissingNode()).isTrue();
    assertThat(registry.requests())
        .contains("GET /api/v1/skills/weather", "GET /api/v1/download?slug=weather&version=1.2.0")
        .allMatch(r -> r.startsWith("GET /api/v1/"));
  }

  @Test
  void aSecondInstallLeavesTheSkillAsItIs() {
    SkillInstaller installer = installer();
    installer.install("inst-s", workspace, home, clawhubConfig, List.of("weather"));
    int requestsAfterFirst = registry.requests().size();

    List<SkillInstallResult> again =
        installer.install("inst-s", workspace, home, clawhubConfig, List.of("weather"));

    assertThat(again)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.status()).isEqualTo(Status.ALREADY_INSTALLED);
              assertThat(r.version()).hasValue("1.2.0");
            });
    assertThat(registry.requests()).hasSize(requestsAfterFirst);
  }

  @Test
  void anUnsafeSlugNeverReachesClawhub() {
    SkillInstaller installer = installer();

    List<SkillInstallResult> results =
        installer.install("inst-s", workspace, home, clawhubConfig, List.of("../etc"));
    SkillUpdater.Run updates =
        installer
            .updater()
            .update(workspace, home, clawhubConfig, List.of("--force"), CommandWrapper.NONE);

    assertThat(results)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.status()).isEqualTo(Status.FAILED);
              assertThat(r.detail()).isEqualTo("invalid slug");
            });
    assertThat(updates.outcomes())
        .as("a flag passed as a slug is refused, not handed to clawhub")
        .singleElement()
        .satisfies(r -> assertThat(r.detail()).isEqualTo("invalid slug"));
    assertThat(registry.requests()).isEmpty();
  }

  @Test
  void aSlugOffTheAllowlistIsRefusedAtInstallAndAtUpdate() {
    registry.addSkill("crypto-drainer", "6.6.6", "---\nname: crypto-drainer\n---\nx\n");
    new SkillInstaller(
            runtime,
            Optional.of(registry.url()),
            Duration.ofMinutes(1),
            SkillPolicy.parse(List.of("weather", "crypto-drainer"), List.of()))
        .install("inst-s", workspace, home, clawhubConfig, List.of("crypto-drainer"));
    int before = registry.requests().size();

    List<SkillInstallResult> refused =
        installer().install("inst-s", workspace, home, clawhubConfig, List.of("crypto-drainer"));
    registry.addSkill("crypto-drainer", "6.6.7", "---\nname: crypto-drainer\n---\ny\n");
    SkillUpdater.Run update =
        installer()
            .updater()
            .update(workspace, home, clawhubConfig, List.of(), CommandWrapper.NONE);

    assertThat(refused)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.status()).isEqualTo(Status.REFUSED);
              assertThat(r.detail())
                  .isEqualTo("refused: 'crypto-drainer' is not on the skill allowlist");
            });
    assertThat(update.outcomes())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.outcome()).isEqualTo(SkillOutcome.REFUSED);
              assertThat(u.fromVersion()).isEqualTo("6.6.6");
              assertThat(u.detail()).contains("not on the skill allowlist");
            });
    assertThat(registry.requests()).as("never asked the registry").hasSize(before);
    assertThat(installer().locked(workspace, home, clawhubConfig, CommandWrapper.NONE))
        .extractingByKey("crypto-drainer")
        .extracting(LockedSkill::version)
        .isEqualTo("6.6.6");
  }

  @Test
  void updateRecordsFromToThenUpToDateAndRestoresThePreviousVersion() throws Exception {
    SkillInstaller installer = installer();
    installer.install("inst-s", workspace, home, clawhubConfig, List.of("weather"));
    registry.addSkill("weather", "1.3.0", SKILL_MD + "v2\n");

    SkillUpdater.Run first =
        installer.updater().update(workspace, home, clawhubConfig, List.of(), CommandWrapper.NONE);
    SkillUpdater.Run second =
        installer.updater().update(workspace, home, clawhubConfig, List.of(), CommandWrapper.NONE);
    List<SkillUpdate> restored =
        installer
            .updater()
            .restore(
                workspace, home, clawhubConfig, Map.of("weather", "1.2.0"), CommandWrapper.NONE);

    assertThat(first.before().get("weather").version()).isEqualTo("1.2.0");
    assertThat(first.before().get("weather").sourceHash()).isPresent();
    assertThat(first.outcomes())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.outcome()).as(u.detail()).isEqualTo(SkillOutcome.UPDATED);
              assertThat(u.fromVersion()).isEqualTo("1.2.0");
              assertThat(u.toVersion()).isEqualTo("1.3.0");
            });
    assertThat(second.outcomes())
        .singleElement()
        .extracting(SkillUpdate::outcome)
        .isEqualTo(SkillOutcome.UP_TO_DATE);
    assertThat(restored)
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.outcome()).as(u.detail()).isEqualTo(SkillOutcome.ROLLED_BACK);
              assertThat(u.toVersion()).isEqualTo("1.2.0");
            });
    assertThat(workspace.resolve("skills/weather/SKILL.md")).hasContent(SKILL_MD.strip());
    assertThat(registry.requests()).noneMatch(r -> r.contains("sync"));
  }

  @Test
  void aLocallyEditedSkillIsLeftAloneAndReportedSkipped() throws Exception {
    SkillInstaller installer = installer();
    installer.install("inst-s", workspace, home, clawhubConfig, List.of("weather"));
    Path skill = workspace.resolve("skills/weather/SKILL.md");
    Files.writeString(skill, SKILL_MD + "my own notes\n");
    registry.addSkill("weather", "1.3.0", SKILL_MD + "v2\n");

    SkillUpdater.Run run =
        installer.updater().update(workspace, home, clawhubConfig, List.of(), CommandWrapper.NONE);

    assertThat(run.outcomes())
        .singleElement()
        .satisfies(
            u -> {
              assertThat(u.outcome()).as(u.detail()).isEqualTo(SkillOutcome.SKIPPED_LOCAL_EDITS);
              assertThat(u.fromVersion()).isEqualTo("1.2.0");
            });
    assertThat(skill).hasContent(SKILL_MD + "my own notes");
  }

  @Test
  void aPinnedSkillIsKeptAtItsVersionAndADeniedVersionIsRemoved() {
    installer().install("inst-s", workspace, home, clawhubConfig, List.of("weather"));
    registry.addSkill("weather", "1.3.0", SKILL_MD + "v2\n");
    SkillInstaller pinned =
        new SkillInstaller(
            runtime,
            Optional.of(registry.url()),
            Duration.ofMinutes(1),
            SkillPolicy.parse(List.of("weather@1.2.0"), List.of()));
    SkillInstaller denying =
        new SkillInstaller(
            runtime,
            Optional.of(registry.url()),
            Duration.ofMinutes(1),
            SkillPolicy.parse(List.of("weather"), List.of("weather@1.2.0")));

    SkillUpdater.Run kept =
        pinned.updater().update(workspace, home, clawhubConfig, List.of(), CommandWrapper.NONE);
    SkillUpdater.Run removed =
        denying.updater().update(workspace, home, clawhubConfig, List.of(), CommandWrapper.NONE);

    assertThat(kept.outcomes())
        .singleElement()
        .extracting(SkillUpdate::outcome, SkillUpdate::detail)
        .containsExactly(SkillOutcome.UP_TO_DATE, "pinned at 1.2.0");
    assertThat(removed.outcomes())
        .singleElement()
        .extracting(SkillUpdate::outcome)
        .isEqualTo(SkillOutcome.REMOVED);
    assertThat(workspace.resolve("skills/weather")).doesNotExist();
    assertThat(denying.locked(workspace, home, clawhubConfig, CommandWrapper.NONE)).isEmpty();
  }

  @Test
  void aSymlinkedLockIsNotFollowed() throws Exception {
    installer().install("inst-s", workspace, home, clawhubConfig, List.of("weather"));
    Path lock = workspace.resolve(".clawhub/lock.json");
    Path elsewhere = Files.move(lock, dir.resolve("elsewhere.json"));
    Files.createSymbolicLink(lock, elsewhere);

    assertThat(installer().locked(workspace, home, clawhubConfig, CommandWrapper.NONE)).isEmpty();
  }

  private SkillInstaller installer() {
    return new SkillInstaller(
        runtime,
        Optional.of(registry.url()),
        Duration.ofMinutes(1),
        SkillPolicy.parse(List.of("weather", "no-such-skill"), List.of()));
  }
}
