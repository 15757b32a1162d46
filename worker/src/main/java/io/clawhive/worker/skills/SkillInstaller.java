package io.clawhive.worker.skills;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.worker.openclaw.CommandResult;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.openclaw.RuntimeCommandRunner;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.process.TenantFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs skills into an instance's workspace with {@code clawhub install <slug> --workdir W
 * --no-input} ({@code W/skills/<slug>/SKILL.md}, {@code W/.clawhub/lock.json}). One failed skill is
 * recorded in its result and the others still install. Never runs {@code clawhub sync}, which would
 * publish the workspace's skills to the public registry.
 */
public final class SkillInstaller {

  public static final Duration DEFAULT_TIMEOUT_PER_SKILL = Duration.ofMinutes(2);
  public static final String SKILLS_DIR = "skills";
  public static final String LOCK_FILE = ".clawhub/lock.json";

  /** A bigger lock file is not parsed (the version is then unknown). */
  static final int MAX_LOCK_FILE_BYTES = 32 * 1024;

  /** {@code clawhub update}'s argument for every unpinned skill. */
  public static final String UPDATE_ALL = "--all";

  /** ClawHub's own slug rule: no path separators, no parent references. */
  private static final Pattern SAFE_SLUG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final Logger LOG = LoggerFactory.getLogger(SkillInstaller.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RuntimeLayout runtime;
  private final Optional<String> registry;
  private final Duration timeoutPerSkill;

  /**
   * @param registry ClawHub registry URL; empty = clawhub's default (the public registry)
   */
  public SkillInstaller(
      RuntimeLayout runtime, Optional<String> registry, Duration timeoutPerSkill) {
    this.runtime = runtime;
    this.registry = registry.filter(r -> !r.isBlank());
    this.timeoutPerSkill = timeoutPerSkill;
  }

  /**
   * Installs {@code slugs} in order into {@code workdir}. {@code home} is the instance's home
   * directory, {@code clawhubConfig} its own {@code CLAWHUB_CONFIG_PATH}.
   */
  public List<SkillInstallResult> install(
      String instanceId, Path workdir, Path home, Path clawhubConfig, List<String> slugs) {
    return install(instanceId, workdir, home, clawhubConfig, slugs, CommandWrapper.NONE);
  }

  /**
   * As {@link #install(String, Path, Path, Path, List)}, each {@code clawhub} command run through
   * {@code wrapper} (e.g. as the instance's user inside its sandbox).
   */
  public List<SkillInstallResult> install(
      String instanceId,
      Path workdir,
      Path home,
      Path clawhubConfig,
      List<String> slugs,
      CommandWrapper wrapper) {
    List<SkillInstallResult> results = new ArrayList<>();
    for (String slug : slugs) {
      SkillInstallResult result = installOne(workdir, home, clawhubConfig, slug, wrapper);
      if (result.status() == SkillInstallResult.Status.FAILED) {
        LOG.warn(
            "instance {}: skill {} not installed, recorded as failed: {}",
            instanceId,
            slug,
            result.detail());
      } else {
        LOG.info("instance {}: skill {} {}", instanceId, slug, result.status());
      }
      results.add(result);
    }
    return List.copyOf(results);
  }

  private SkillInstallResult installOne(
      Path workdir, Path home, Path clawhubConfig, String slug, CommandWrapper wrapper) {
    if (!SAFE_SLUG.matcher(slug).matches()) {
      return failed(slug, "invalid slug");
    }
    Map<String, String> env = environment(home, clawhubConfig);
    if (TenantFiles.isRegularFile(wrapper, env, workdir, skillFile(workdir, slug))) {
      return new SkillInstallResult(
          slug,
          SkillInstallResult.Status.ALREADY_INSTALLED,
          lockedVersion(workdir, slug, wrapper, env),
          "");
    }
    CommandResult result = clawhub("install", slug, workdir, home, clawhubConfig, wrapper);
    if (result.timedOut()) {
      return failed(slug, "clawhub install timed out after " + timeoutPerSkill);
    }
    if (!result.succeeded()) {
      return failed(slug, "clawhub install exit " + result.exitCode() + ": " + result.message());
    }
    if (!TenantFiles.isRegularFile(wrapper, env, workdir, skillFile(workdir, slug))) {
      return failed(
          slug, "clawhub install succeeded but " + skillFile(workdir, slug) + " is missing");
    }
    return new SkillInstallResult(
        slug, SkillInstallResult.Status.INSTALLED, lockedVersion(workdir, slug, wrapper, env), "");
  }

  /**
   * Updates {@code slugs} in {@code workdir} with {@code clawhub update <slug> --workdir W
   * --no-input}, or every unpinned skill ({@value #UPDATE_ALL}) when {@code slugs} is empty.
   */
  public List<SkillInstallResult> update(
      Path workdir, Path home, Path clawhubConfig, List<String> slugs, CommandWrapper wrapper) {
    List<SkillInstallResult> results = new ArrayList<>();
    for (String slug : slugs.isEmpty() ? List.of(UPDATE_ALL) : slugs) {
      if (!slug.equals(UPDATE_ALL) && !SAFE_SLUG.matcher(slug).matches()) {
        results.add(failed(slug, "invalid slug"));
        continue;
      }
      CommandResult result = clawhub("update", slug, workdir, home, clawhubConfig, wrapper);
      if (result.timedOut()) {
        results.add(failed(slug, "clawhub update timed out after " + timeoutPerSkill));
      } else if (!result.succeeded()) {
        results.add(
            failed(slug, "clawhub update exit " + result.exitCode() + ": " + result.message()));
      } else {
        results.add(
            new SkillInstallResult(
                slug, SkillInstallResult.Status.INSTALLED, Optional.empty(), ""));
      }
    }
    return List.copyOf(results);
  }

  /**
   * {@code clawhub <verb> <slug> --workdir W --no-input [--registry R]}, through {@code wrapper}.
   */
  private CommandResult clawhub(
      String verb,
      String slug,
      Path workdir,
      Path home,
      Path clawhubConfig,
      CommandWrapper wrapper) {
    List<String> argv = new ArrayList<>();
    argv.add(runtime.nodeBinary().toString());
    argv.add(runtime.clawhubEntry().toString());
    argv.addAll(List.of(verb, slug, "--workdir", workdir.toString(), "--no-input"));
    registry.ifPresent(r -> argv.addAll(List.of("--registry", r)));
    Map<String, String> env = environment(home, clawhubConfig);
    return RuntimeCommandRunner.run(
        wrapper.wrap(argv, env, workdir), env, workdir, timeoutPerSkill);
  }

  private Map<String, String> environment(Path home, Path clawhubConfig) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOME", home.toAbsolutePath().toString());
    env.put("PATH", GatewayCommand.path(runtime));
    env.put("CLAWHUB_CONFIG_PATH", clawhubConfig.toAbsolutePath().toString());
    env.put("CLAWHUB_DISABLE_TELEMETRY", "1");
    env.put("NO_COLOR", "1");
    registry.ifPresent(r -> env.put("CLAWHUB_REGISTRY", r));
    return env;
  }

  static Path skillFile(Path workdir, String slug) {
    return workdir.resolve(SKILLS_DIR).resolve(slug).resolve("SKILL.md");
  }

  /**
   * The version {@code lock.json} records for {@code slug}, read as the tenant (through {@code
   * wrapper}) and at most {@value #MAX_LOCK_FILE_BYTES} bytes: the file is the tenant's, and may be
   * a symlink or a FIFO.
   */
  private static Optional<String> lockedVersion(
      Path workdir, String slug, CommandWrapper wrapper, Map<String, String> env) {
    Optional<String> lock =
        TenantFiles.read(wrapper, env, workdir, workdir.resolve(LOCK_FILE), MAX_LOCK_FILE_BYTES);
    if (lock.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonNode version = JSON.readTree(lock.get()).path("skills").path(slug).path("version");
      return version.isTextual() ? Optional.of(version.asText()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static SkillInstallResult failed(String slug, String detail) {
    return new SkillInstallResult(slug, SkillInstallResult.Status.FAILED, Optional.empty(), detail);
  }
}
