package io.clawhive.worker.fleet;

import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.skills.LockedSkill;
import io.clawhive.worker.skills.SkillInstallResult;
import io.clawhive.worker.skills.SkillInstaller;
import io.clawhive.worker.skills.SkillPolicy;
import io.clawhive.worker.skills.SkillUpdate;
import io.clawhive.worker.skills.SkillUpdater;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Skills through the runtime's {@code clawhub}, via {@link SkillInstaller} and {@link
 * SkillUpdater}; a semaphore bounds how many instances of this worker run clawhub at once (the
 * nightly update reaches every instance of a worker within minutes).
 */
final class ClawhubSkills implements SkillSource {

  static final String CLAWHUB_CONFIG_FILE = "clawhub.json";

  private final SkillInstaller installer;
  private final SkillUpdater updater;
  private final Semaphore permits;

  ClawhubSkills(
      RuntimeLayout runtime, Optional<String> registry, SkillPolicy policy, int concurrency) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("skill concurrency must be >= 1");
    }
    this.installer =
        new SkillInstaller(runtime, registry, SkillInstaller.DEFAULT_TIMEOUT_PER_SKILL, policy);
    this.updater = installer.updater();
    this.permits = new Semaphore(concurrency, true);
  }

  @Override
  public List<SkillInstallResult> install(
      String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper) {
    return bounded(
        () ->
            installer.install(
                instanceId,
                layout.workspaceDir(),
                layout.stateDir(),
                clawhubConfig(layout),
                slugs,
                wrapper));
  }

  @Override
  public SkillUpdater.Run update(
      String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper) {
    return bounded(
        () ->
            updater.update(
                layout.workspaceDir(), layout.stateDir(), clawhubConfig(layout), slugs, wrapper));
  }

  @Override
  public List<SkillUpdate> restore(
      String instanceId,
      InstanceLayout layout,
      Map<String, String> versions,
      CommandWrapper wrapper) {
    return bounded(
        () ->
            updater.restore(
                layout.workspaceDir(),
                layout.stateDir(),
                clawhubConfig(layout),
                versions,
                wrapper));
  }

  @Override
  public Map<String, LockedSkill> locked(InstanceLayout layout, CommandWrapper wrapper) {
    return installer.locked(
        layout.workspaceDir(), layout.stateDir(), clawhubConfig(layout), wrapper);
  }

  private <T> T bounded(Supplier<T> work) {
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for a clawhub slot", e);
    }
    try {
      return work.get();
    } finally {
      permits.release();
    }
  }

  private static Path clawhubConfig(InstanceLayout layout) {
    return layout.stateDir().resolve(CLAWHUB_CONFIG_FILE);
  }
}
