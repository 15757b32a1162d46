package io.clawhive.worker.fleet;

import io.clawhive.core.storage.SkillOutcome;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.skills.LockedSkill;
import io.clawhive.worker.skills.SkillInstallResult;
import io.clawhive.worker.skills.SkillPolicy;
import io.clawhive.worker.skills.SkillUpdate;
import io.clawhive.worker.skills.SkillUpdater;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Installs, updates and restores ClawHub skills in an instance's workspace under the skill policy;
 * failures are results. Every command runs through the given wrapper (the instance's user, its
 * sandbox), on the instance's files only: the gateway need not run.
 */
public interface SkillSource {

  /** Installs {@code slugs}. */
  List<SkillInstallResult> install(
      String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper);

  /** Updates {@code slugs}, or every locked skill when empty. */
  SkillUpdater.Run update(
      String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper);

  /** Puts each {@code slug → version} back. */
  List<SkillUpdate> restore(
      String instanceId,
      InstanceLayout layout,
      Map<String, String> versions,
      CommandWrapper wrapper);

  /** The skills the instance's ClawHub lock records, read as the tenant. */
  Map<String, LockedSkill> locked(InstanceLayout layout, CommandWrapper wrapper);

  /** No runtime to install with (a configured stand-in gateway): every skill fails, recorded. */
  SkillSource UNAVAILABLE =
      new SkillSource() {
        @Override
        public List<SkillInstallResult> install(
            String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper) {
          return slugs.stream()
              .map(
                  slug ->
                      new SkillInstallResult(
                          slug, SkillInstallResult.Status.FAILED, Optional.empty(), NO_RUNTIME))
              .toList();
        }

        @Override
        public SkillUpdater.Run update(
            String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper) {
          return new SkillUpdater.Run(
              Map.of(),
              slugs.stream()
                  .map(slug -> new SkillUpdate(slug, SkillOutcome.FAILED, null, null, NO_RUNTIME))
                  .toList());
        }

        @Override
        public List<SkillUpdate> restore(
            String instanceId,
            InstanceLayout layout,
            Map<String, String> versions,
            CommandWrapper wrapper) {
          return versions.keySet().stream()
              .map(slug -> new SkillUpdate(slug, SkillOutcome.FAILED, null, null, NO_RUNTIME))
              .toList();
        }

        @Override
        public Map<String, LockedSkill> locked(InstanceLayout layout, CommandWrapper wrapper) {
          return Map.of();
        }
      };

  String NO_RUNTIME = "no clawhub runtime on this worker (gatewayCommand is set)";

  /**
   * The runtime's clawhub against {@code registry} (empty = clawhub's default), under {@code
   * policy}, with at most {@code concurrency} clawhub operations of this worker at once.
   */
  static SkillSource clawhub(
      RuntimeLayout runtime, Optional<String> registry, SkillPolicy policy, int concurrency) {
    return new ClawhubSkills(runtime, registry, policy, concurrency);
  }
}
