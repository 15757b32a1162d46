package io.clawhive.worker.skills;

import io.clawhive.worker.openclaw.CommandResult;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.process.TenantFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs skills into an instance's workspace with {@code clawhub install <slug> --workdir W
 * --no-input} ({@code W/skills/<slug>/SKILL.md}, {@code W/.clawhub/lock.json}), under the {@link
 * SkillPolicy}: a slug off the allowlist is refused without asking the registry, a pinned slug is
 * installed at its version, a denied version is removed again. One failed skill is recorded in its
 * result and the others still install. Updates are {@link SkillUpdater}'s.
 */
public final class SkillInstaller {

  public static final Duration DEFAULT_TIMEOUT_PER_SKILL = Duration.ofMinutes(2);
  public static final String SKILLS_DIR = "skills";
  public static final String LOCK_FILE = ".clawhub/lock.json";

  /** ClawHub's own slug rule: no path separators, no parent references. */
  static final Pattern SAFE_SLUG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final Logger LOG = LoggerFactory.getLogger(SkillInstaller.class);

  private final Clawhub clawhub;
  private final SkillPolicy policy;

  /**
   * @param registry ClawHub registry URL; empty = clawhub's default (the public registry)
   */
  public SkillInstaller(
      RuntimeLayout runtime,
      Optional<String> registry,
      Duration timeoutPerSkill,
      SkillPolicy policy) {
    this.clawhub = new Clawhub(runtime, registry, timeoutPerSkill);
    this.policy = policy;
  }

  /** The updater over the same clawhub and policy. */
  public SkillUpdater updater() {
    return new SkillUpdater(clawhub, policy);
  }

  /** As {@link #install(String, Path, Path, Path, List, CommandWrapper)}, run as this user. */
  public List<SkillInstallResult> install(
      String instanceId, Path workdir, Path home, Path clawhubConfig, List<String> slugs) {
    return install(instanceId, workdir, home, clawhubConfig, slugs, CommandWrapper.NONE);
  }

  /**
   * Installs {@code slugs} in order into {@code workdir}, each {@code clawhub} command run through
   * {@code wrapper} (e.g. as the instance's user inside its sandbox). {@code home} is the
   * instance's home directory, {@code clawhubConfig} its own {@code CLAWHUB_CONFIG_PATH}.
   */
  public List<SkillInstallResult> install(
      String instanceId,
      Path workdir,
      Path home,
      Path clawhubConfig,
      List<String> slugs,
      CommandWrapper wrapper) {
    Clawhub.Workspace ws = new Clawhub.Workspace(workdir, home, clawhubConfig, wrapper);
    List<SkillInstallResult> results = new ArrayList<>();
    for (String slug : slugs) {
      SkillInstallResult result = installOne(ws, slug);
      if (result.installed()) {
        LOG.info("instance {}: skill {} {}", instanceId, slug, result.status());
      } else {
        LOG.warn(
            "instance {}: skill {} not installed, recorded as {}: {}",
            instanceId,
            slug,
            result.status(),
            result.detail());
      }
      results.add(result);
    }
    return List.copyOf(results);
  }

  private SkillInstallResult installOne(Clawhub.Workspace ws, String slug) {
    if (!SAFE_SLUG.matcher(slug).matches()) {
      return failed(slug, "invalid slug");
    }
    Optional<String> refusal = policy.refusal(slug);
    if (refusal.isPresent()) {
      return new SkillInstallResult(
          slug, SkillInstallResult.Status.REFUSED, Optional.empty(), refusal.get());
    }
    Map<String, String> env = clawhub.environment(ws);
    Path skillFile = skillFile(ws.workdir(), slug);
    if (TenantFiles.isRegularFile(ws.wrapper(), env, ws.workdir(), skillFile)) {
      return new SkillInstallResult(
          slug, SkillInstallResult.Status.ALREADY_INSTALLED, lockedVersion(ws, slug), "");
    }
    List<String> args = new ArrayList<>(List.of("install", slug));
    policy.pin(slug).ifPresent(v -> args.addAll(List.of("--version", v)));
    CommandResult result = clawhub.run(args, ws);
    if (!result.succeeded()) {
      return failed(slug, Clawhub.describe("install", result, clawhub.timeout()));
    }
    if (!TenantFiles.isRegularFile(ws.wrapper(), env, ws.workdir(), skillFile)) {
      return failed(slug, "clawhub install succeeded but " + skillFile + " is missing");
    }
    Optional<String> version = lockedVersion(ws, slug);
    if (version.isPresent() && policy.denied(slug, version.get())) {
      CommandResult removed = clawhub.run(List.of("uninstall", slug, "--yes"), ws);
      return failed(
          slug,
          "version "
              + version.get()
              + " is on the skill denylist; "
              + (removed.succeeded()
                  ? "removed again"
                  : Clawhub.describe("uninstall", removed, clawhub.timeout())));
    }
    return new SkillInstallResult(slug, SkillInstallResult.Status.INSTALLED, version, "");
  }

  /** Every skill the workspace's lock records, read as the tenant (through {@code wrapper}). */
  public Map<String, LockedSkill> locked(
      Path workdir, Path home, Path clawhubConfig, CommandWrapper wrapper) {
    Clawhub.Workspace ws = new Clawhub.Workspace(workdir, home, clawhubConfig, wrapper);
    return SkillLocks.read(workdir, wrapper, clawhub.environment(ws));
  }

  static Path skillFile(Path workdir, String slug) {
    return workdir.resolve(SKILLS_DIR).resolve(slug).resolve("SKILL.md");
  }

  private Optional<String> lockedVersion(Clawhub.Workspace ws, String slug) {
    LockedSkill locked =
        SkillLocks.read(ws.workdir(), ws.wrapper(), clawhub.environment(ws)).get(slug);
    return locked == null ? Optional.empty() : Optional.of(locked.version());
  }

  private static SkillInstallResult failed(String slug, String detail) {
    return new SkillInstallResult(slug, SkillInstallResult.Status.FAILED, Optional.empty(), detail);
  }
}
