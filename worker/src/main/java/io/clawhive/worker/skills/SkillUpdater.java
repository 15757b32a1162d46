package io.clawhive.worker.skills;

import io.clawhive.core.storage.SkillOutcome;
import io.clawhive.worker.openclaw.CommandResult;
import io.clawhive.worker.process.CommandWrapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Updates the skills of one workspace one slug at a time ({@code clawhub update <slug>}, never
 * {@code --all}, so that the {@link SkillPolicy} decides per slug), and compares the lock before
 * and after: updated from → to, up to date, skipped because of local edits (clawhub leaves a skill
 * whose files no longer match any published version alone), refused (off the allowlist), removed (a
 * denied version), or failed with clawhub's reason. A pinned slug is brought to its pinned version
 * with {@code clawhub install --version V --force}. Never {@code clawhub sync}.
 */
public final class SkillUpdater {

  /** What clawhub 0.23.3 prints for a skill whose files were edited locally. */
  static final String LOCAL_CHANGES = ": local changes";

  private final Clawhub clawhub;
  private final SkillPolicy policy;

  SkillUpdater(Clawhub clawhub, SkillPolicy policy) {
    this.clawhub = clawhub;
    this.policy = policy;
  }

  /** The lock before the update, and one outcome per skill. */
  public record Run(Map<String, LockedSkill> before, List<SkillUpdate> outcomes) {}

  /** Updates {@code slugs} (every locked skill when empty). */
  public Run update(
      Path workdir, Path home, Path clawhubConfig, List<String> slugs, CommandWrapper wrapper) {
    Clawhub.Workspace ws = new Clawhub.Workspace(workdir, home, clawhubConfig, wrapper);
    Map<String, LockedSkill> before = locked(ws);
    List<SkillUpdate> outcomes = new ArrayList<>();
    for (String slug : slugs.isEmpty() ? List.copyOf(before.keySet()) : slugs) {
      outcomes.add(updateOne(ws, slug, before.get(slug)));
    }
    return new Run(before, List.copyOf(outcomes));
  }

  /** Puts each {@code slug → version} back ({@code clawhub install --version --force}). */
  public List<SkillUpdate> restore(
      Path workdir,
      Path home,
      Path clawhubConfig,
      Map<String, String> versions,
      CommandWrapper wrapper) {
    Clawhub.Workspace ws = new Clawhub.Workspace(workdir, home, clawhubConfig, wrapper);
    Map<String, LockedSkill> now = locked(ws);
    List<SkillUpdate> outcomes = new ArrayList<>();
    versions.forEach(
        (slug, version) -> {
          String current = now.containsKey(slug) ? now.get(slug).version() : null;
          if (version.equals(current)) {
            outcomes.add(new SkillUpdate(slug, SkillOutcome.UP_TO_DATE, current, current, ""));
            return;
          }
          outcomes.add(installVersion(ws, slug, current, version, SkillOutcome.ROLLED_BACK));
        });
    return List.copyOf(outcomes);
  }

  private SkillUpdate updateOne(Clawhub.Workspace ws, String slug, LockedSkill locked) {
    if (!SkillInstaller.SAFE_SLUG.matcher(slug).matches()) {
      return SkillUpdate.failed(slug, null, "invalid slug");
    }
    String from = locked == null ? null : locked.version();
    if (locked == null) {
      return SkillUpdate.failed(slug, null, "not installed");
    }
    if (policy.denied(slug, from)) {
      CommandResult removed = clawhub.run(List.of("uninstall", slug, "--yes"), ws);
      return removed.succeeded()
          ? new SkillUpdate(
              slug, SkillOutcome.REMOVED, from, null, "version " + from + " is on the denylist")
          : SkillUpdate.failed(
              slug, from, Clawhub.describe("uninstall", removed, clawhub.timeout()));
    }
    Optional<String> refusal = policy.refusal(slug);
    if (refusal.isPresent()) {
      return new SkillUpdate(slug, SkillOutcome.REFUSED, from, null, refusal.get());
    }
    Optional<String> pin = policy.pin(slug);
    if (pin.isPresent()) {
      return pin.get().equals(from)
          ? new SkillUpdate(slug, SkillOutcome.UP_TO_DATE, from, from, "pinned at " + from)
          : installVersion(ws, slug, from, pin.get(), SkillOutcome.UPDATED);
    }
    CommandResult result = clawhub.run(List.of("update", slug), ws);
    if (!result.succeeded()) {
      return SkillUpdate.failed(slug, from, Clawhub.describe("update", result, clawhub.timeout()));
    }
    if (result.stdout().contains(slug + LOCAL_CHANGES)) {
      return new SkillUpdate(
          slug, SkillOutcome.SKIPPED_LOCAL_EDITS, from, from, "local edits: left as they are");
    }
    LockedSkill after = locked(ws).get(slug);
    String to = after == null ? null : after.version();
    if (to == null) {
      return SkillUpdate.failed(slug, from, "gone from the lock after clawhub update");
    }
    if (policy.denied(slug, to)) {
      return installVersion(ws, slug, to, from, SkillOutcome.FAILED)
          .withDetail("update brought denied version " + to + "; put back to " + from);
    }
    return to.equals(from)
        ? new SkillUpdate(slug, SkillOutcome.UP_TO_DATE, from, to, "")
        : new SkillUpdate(slug, SkillOutcome.UPDATED, from, to, "");
  }

  private SkillUpdate installVersion(
      Clawhub.Workspace ws, String slug, String from, String version, SkillOutcome success) {
    CommandResult result =
        clawhub.run(List.of("install", slug, "--version", version, "--force"), ws);
    if (!result.succeeded()) {
      return SkillUpdate.failed(slug, from, Clawhub.describe("install", result, clawhub.timeout()));
    }
    LockedSkill after = locked(ws).get(slug);
    String to = after == null ? null : after.version();
    return version.equals(to)
        ? new SkillUpdate(slug, success, from, to, "")
        : SkillUpdate.failed(slug, from, "lock shows " + to + " after installing " + version);
  }

  private Map<String, LockedSkill> locked(Clawhub.Workspace ws) {
    return SkillLocks.read(ws.workdir(), ws.wrapper(), clawhub.environment(ws));
  }
}
