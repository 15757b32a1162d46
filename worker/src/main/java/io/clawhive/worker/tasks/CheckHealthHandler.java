package io.clawhive.worker.tasks;

import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.task.Task;
import io.clawhive.worker.fleet.Fleet;

/** Probes every live gateway of this worker concurrently and stores the results. */
final class CheckHealthHandler implements TaskHandler {

  private final Fleet fleet;

  CheckHealthHandler(Fleet fleet) {
    this.fleet = fleet;
  }

  @Override
  public void handle(Task task) {
    fleet.checkHealth();
  }
}
