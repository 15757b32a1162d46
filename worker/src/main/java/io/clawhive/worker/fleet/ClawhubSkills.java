package io.clawhive.worker.fleet;

import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.skills.SkillInstallResult;
import io.clawhive.worker.skills.SkillInstaller;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Skills through the runtime's {@code clawhub}, via {@link SkillInstaller}. */
final class ClawhubSkills implements SkillSource {

  static final String CLAWHUB_CONFIG_FILE = "clawhub.json";

  private final SkillInstaller installer;

  ClawhubSkills(RuntimeLayout runtime, Optional<String> registry) {
    this.installer =
        new SkillInstaller(runtime, registry, SkillInstaller.DEFAULT_TIMEOUT_PER_SKILL);
  }

  @Override
  public List<SkillInstallResult> install(
      String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper) {
    return installer.install(
        instanceId,
        layout.workspaceDir(),
        layout.stateDir(),
        clawhubConfig(layout),
        slugs,
        wrapper);
  }

  @Override
  public List<SkillInstallResult> update(
      String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper) {
    return installer.update(
        layout.workspaceDir(), layout.stateDir(), clawhubConfig(layout), slugs, wrapper);
  }

  private static Path clawhubConfig(InstanceLayout layout) {
    return layout.stateDir().resolve(CLAWHUB_CONFIG_FILE);
  }
}
