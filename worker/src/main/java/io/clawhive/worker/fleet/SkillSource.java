package io.clawhive.worker.fleet;

import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.skills.SkillInstallResult;
import java.util.List;
import java.util.Optional;

/** Installs and updates ClawHub skills in an instance's workspace; failures are results. */
public interface SkillSource {

  /** Installs {@code slugs}; each command runs through {@code wrapper} (tenant user, sandbox). */
  List<SkillInstallResult> install(
      String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper);

  /** Updates {@code slugs}, or every unpinned skill when empty. */
  List<SkillInstallResult> update(
      String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper);

  /** No runtime to install with (a configured stand-in gateway): every skill fails, recorded. */
  SkillSource UNAVAILABLE =
      new SkillSource() {
        @Override
        public List<SkillInstallResult> install(
            String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper) {
          return slugs.stream().map(SkillSource::unavailable).toList();
        }

        @Override
        public List<SkillInstallResult> update(
            String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper) {
          return slugs.stream().map(SkillSource::unavailable).toList();
        }
      };

  /** The runtime's clawhub against {@code registry} (empty = clawhub's default). */
  static SkillSource clawhub(
      io.clawhive.worker.openclaw.RuntimeLayout runtime, Optional<String> registry) {
    return new ClawhubSkills(runtime, registry);
  }

  private static SkillInstallResult unavailable(String slug) {
    return new SkillInstallResult(
        slug,
        SkillInstallResult.Status.FAILED,
        Optional.empty(),
        "no clawhub runtime on this worker (gatewayCommand is set)");
  }
}
