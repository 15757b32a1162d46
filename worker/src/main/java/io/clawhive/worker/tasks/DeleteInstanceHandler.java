package io.clawhive.worker.tasks;

import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.task.DeleteInstance;
import io.clawhive.core.task.Task;
import io.clawhive.worker.fleet.Fleet;

/** Stops the instance and removes its files, user and row; a gone instance is done. */
final class DeleteInstanceHandler implements TaskHandler {

  private final Fleet fleet;

  DeleteInstanceHandler(Fleet fleet) {
    this.fleet = fleet;
  }

  @Override
  public void handle(Task task) {
    DeleteInstance t = (DeleteInstance) task;
    Permanent.unlessUnavailable(() -> fleet.deleteInstance(t.instanceId()));
  }
}
