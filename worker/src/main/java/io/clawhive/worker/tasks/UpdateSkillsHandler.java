package io.clawhive.worker.tasks;

import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.task.Task;
import io.clawhive.core.task.UpdateSkills;
import io.clawhive.worker.fleet.Fleet;

/** Updates skills (all unpinned ones when no slug is given); outcomes are stored. */
final class UpdateSkillsHandler implements TaskHandler {

  private final Fleet fleet;

  UpdateSkillsHandler(Fleet fleet) {
    this.fleet = fleet;
  }

  @Override
  public void handle(Task task) {
    UpdateSkills t = (UpdateSkills) task;
    Permanent.unlessUnavailable(() -> fleet.updateSkills(t.instanceId(), t.slugs()));
  }
}
