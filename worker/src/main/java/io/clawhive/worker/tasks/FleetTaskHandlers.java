package io.clawhive.worker.tasks;

import io.clawhive.core.task.CheckHealth;
import io.clawhive.core.task.CreateInstance;
import io.clawhive.core.task.DeleteInstance;
import io.clawhive.core.task.HibernateInstance;
import io.clawhive.core.task.InstallSkills;
import io.clawhive.core.task.RestartInstance;
import io.clawhive.core.task.StopInstance;
import io.clawhive.core.task.UpdateSkills;
import io.clawhive.core.task.WakeInstance;
import io.clawhive.worker.fleet.Fleet;
import io.clawhive.worker.node.TaskDispatcher;

/** Registers the handlers of the instance tasks with a worker's dispatcher. */
public final class FleetTaskHandlers {

  private FleetTaskHandlers() {}

  public static TaskDispatcher register(TaskDispatcher dispatcher, Fleet fleet) {
    return dispatcher
        .register(CreateInstance.class, new CreateInstanceHandler(fleet))
        .register(RestartInstance.class, new RestartInstanceHandler(fleet))
        .register(HibernateInstance.class, new HibernateInstanceHandler(fleet))
        .register(WakeInstance.class, new WakeInstanceHandler(fleet))
        .register(StopInstance.class, new StopInstanceHandler(fleet))
        .register(DeleteInstance.class, new DeleteInstanceHandler(fleet))
        .register(CheckHealth.class, new CheckHealthHandler(fleet))
        .register(InstallSkills.class, new InstallSkillsHandler(fleet))
        .register(UpdateSkills.class, new UpdateSkillsHandler(fleet));
  }
}
