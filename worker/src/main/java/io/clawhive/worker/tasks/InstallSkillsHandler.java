package io.clawhive.worker.tasks;

import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.task.InstallSkills;
import io.clawhive.core.task.Task;
import io.clawhive.worker.fleet.Fleet;

/** Installs skills; each outcome is stored, already installed ones are left as they are. */
final class InstallSkillsHandler implements TaskHandler {

  private final Fleet fleet;

  InstallSkillsHandler(Fleet fleet) {
    this.fleet = fleet;
  }

  @Override
  public void handle(Task task) {
    InstallSkills t = (InstallSkills) task;
    Permanent.unlessUnavailable(() -> fleet.installSkills(t.instanceId(), t.slugs()));
  }
}
