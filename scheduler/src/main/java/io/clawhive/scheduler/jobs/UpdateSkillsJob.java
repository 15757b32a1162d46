package io.clawhive.scheduler.jobs;

import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.task.UpdateSkills;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;

/**
 * The nightly skill update: one {@code UpdateSkills} task (all installed, unpinned skills, i.e.
 * {@code clawhub update --all}) per instance, sent to the worker that owns it. Failed and deleted
 * instances are left alone.
 */
@DisallowConcurrentExecution
public final class UpdateSkillsJob implements Job {
  public static final String NAME = "update-skills";
  static final Set<InstanceState> SKIPPED = Set.of(InstanceState.FAILED, InstanceState.DELETED);

  private final Storage storage;
  private final TaskPublisher publisher;
  private final JobRunRecorder recorder;
  private final Clock clock;

  public UpdateSkillsJob(
      Storage storage, TaskPublisher publisher, JobRunRecorder recorder, Clock clock) {
    this.storage = storage;
    this.publisher = publisher;
    this.recorder = recorder;
    this.clock = clock;
  }

  @Override
  public void execute(JobExecutionContext context) {
    recorder.run(NAME, this::askOwners);
  }

  String askOwners() {
    Instant now = clock.instant();
    List<Instance> instances = storage.dao(InstanceDao.class).listAll();
    int asked = 0;
    for (Instance instance : instances) {
      if (SKIPPED.contains(instance.actualState())) {
        continue;
      }
      publisher.publish(
          instance.workerNode(),
          UpdateSkills.of(instance.tenantId(), instance.id(), List.of(), now));
      asked++;
    }
    return "asked for skill updates of " + asked + " instance(s)";
  }
}
