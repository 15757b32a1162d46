package io.clawhive.worker.tasks;

import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.task.RestartInstance;
import io.clawhive.core.task.Task;
import io.clawhive.worker.fleet.Fleet;

/** Restarts the instance now (a FAILED or hibernated one is started again). */
final class RestartInstanceHandler implements TaskHandler {

  private final Fleet fleet;

  RestartInstanceHandler(Fleet fleet) {
    this.fleet = fleet;
  }

  @Override
  public void handle(Task task) {
    RestartInstance t = (RestartInstance) task;
    Permanent.unlessUnavailable(() -> fleet.restartInstance(t.instanceId(), t.reason()));
  }
}
