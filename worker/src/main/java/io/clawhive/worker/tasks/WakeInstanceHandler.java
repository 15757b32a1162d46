package io.clawhive.worker.tasks;

import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.task.Task;
import io.clawhive.core.task.WakeInstance;
import io.clawhive.worker.fleet.Fleet;

/** Starts a hibernated instance; a running one is left alone. */
final class WakeInstanceHandler implements TaskHandler {

  private final Fleet fleet;

  WakeInstanceHandler(Fleet fleet) {
    this.fleet = fleet;
  }

  @Override
  public void handle(Task task) {
    WakeInstance t = (WakeInstance) task;
    Permanent.unlessUnavailable(() -> fleet.wakeInstance(t.instanceId()));
  }
}
