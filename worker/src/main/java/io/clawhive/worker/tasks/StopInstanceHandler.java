package io.clawhive.worker.tasks;

import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.task.StopInstance;
import io.clawhive.core.task.Task;
import io.clawhive.worker.fleet.Fleet;

/** Stops the instance process and keeps its files (actual and desired state HIBERNATED). */
final class StopInstanceHandler implements TaskHandler {

  private final Fleet fleet;

  StopInstanceHandler(Fleet fleet) {
    this.fleet = fleet;
  }

  @Override
  public void handle(Task task) {
    StopInstance t = (StopInstance) task;
    Permanent.unlessUnavailable(() -> fleet.hibernateInstance(t.instanceId(), "stop requested"));
  }
}
