package io.clawhive.worker.tasks;

import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.task.Task;
import io.clawhive.core.task.UpdateSkills;
import io.clawhive.worker.fleet.Fleet;

/**
 * Updates skills (every locked one when no slug is given) or rolls a rollout's canary back;
 * outcomes are stored per skill and, inside a rollout, reported back.
 */
final class UpdateSkillsHandler implements TaskHandler {

  private final Fleet fleet;

  UpdateSkillsHandler(Fleet fleet) {
    this.fleet = fleet;
  }

  @Override
  public void handle(Task task) {
    UpdateSkills t = (UpdateSkills) task;
    Permanent.unlessUnavailable(
        () -> fleet.updateSkills(t.instanceId(), t.slugs(), t.rolloutId(), t.stage()));
  }
}
