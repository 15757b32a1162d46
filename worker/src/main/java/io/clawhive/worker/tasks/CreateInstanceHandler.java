package io.clawhive.worker.tasks;

import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.task.CreateInstance;
import io.clawhive.core.task.Task;
import io.clawhive.worker.fleet.Fleet;

/**
 * Claim-or-create for a tenant, or one more warm-pool instance without tenant. The new instance's
 * id is the task id, so a redelivered task finds the instance its first delivery made.
 */
final class CreateInstanceHandler implements TaskHandler {

  private final Fleet fleet;

  CreateInstanceHandler(Fleet fleet) {
    this.fleet = fleet;
  }

  @Override
  public void handle(Task task) {
    CreateInstance create = (CreateInstance) task;
    String instanceId = create.taskId().toString();
    if (create.tenant() == null) {
      fleet.createPooled(instanceId);
    } else {
      Permanent.unlessUnavailable(() -> fleet.createForTenant(create.tenant(), instanceId));
    }
  }
}
