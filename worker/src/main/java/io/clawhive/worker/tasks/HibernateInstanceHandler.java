package io.clawhive.worker.tasks;

import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.task.HibernateInstance;
import io.clawhive.core.task.Task;
import io.clawhive.worker.fleet.Fleet;

/** Stops the instance and keeps its files; the next message wakes it. Repeating it is harmless. */
final class HibernateInstanceHandler implements TaskHandler {

  private final Fleet fleet;

  HibernateInstanceHandler(Fleet fleet) {
    this.fleet = fleet;
  }

  @Override
  public void handle(Task task) {
    HibernateInstance t = (HibernateInstance) task;
    Permanent.unlessUnavailable(
        () -> fleet.hibernateInstance(t.instanceId(), "hibernate requested"));
  }
}
