package io.clawhive.worker.skills;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.worker.fakes.FakeClawHubRegistry;
import io.clawhive.worker.fakes.InstalledRuntime;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.skills.SkillInstallResult.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    SkillInstaller installer =
        new SkillInstaller(runtime, Optional.of(registry.url()), Duration.ofMinutes(1));

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
    SkillInstaller installer =
        new SkillInstaller(runtime, Optional.of(registry.url()), Duration.ofMinutes(1));
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
    SkillInstaller installer =
        new SkillInstaller(runtime, Optional.of(registry.url()), Duration.ofMinutes(1));

    List<SkillInstallResult> results =
        installer.install("inst-s", workspace, home, clawhubConfig, List.of("../etc"));
    List<SkillInstallResult> updates =
        installer.update(workspace, home, clawhubConfig, List.of("--force"), CommandWrapper.NONE);

    assertThat(results)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.status()).isEqualTo(Status.FAILED);
              assertThat(r.detail()).isEqualTo("invalid slug");
            });
    assertThat(updates)
        .as("a flag passed as a slug is refused, not handed to clawhub")
        .singleElement()
        .satisfies(r -> assertThat(r.detail()).isEqualTo("invalid slug"));
    assertThat(registry.requests()).isEmpty();
  }

  @Test
  void updateBringsAnInstalledSkillToTheRegistrysLatestVersion() throws Exception {
    SkillInstaller installer =
        new SkillInstaller(runtime, Optional.of(registry.url()), Duration.ofMinutes(1));
    installer.install("inst-s", workspace, home, clawhubConfig, List.of("weather"));
    registry.addSkill("weather", "1.3.0", SKILL_MD);

    List<SkillInstallResult> updated =
        installer.update(workspace, home, clawhubConfig, List.of(), CommandWrapper.NONE);

    assertThat(updated)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.slug()).isEqualTo(SkillInstaller.UPDATE_ALL);
              assertThat(r.status()).as(r.detail()).isEqualTo(Status.INSTALLED);
            });
    JsonNode lock = new ObjectMapper().readTree(workspace.resolve(".clawhub/lock.json").toFile());
    assertThat(lock.at("/skills/weather/version").asText()).isEqualTo("1.3.0");
  }
}
