package io.clawhive.scheduler.jobs;

import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.WorkerDao;
import io.clawhive.core.storage.WorkerNode;
import io.clawhive.core.task.CheckHealth;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;

/**
 * Asks every live worker to probe all of its gateways (one {@code CheckHealth} task per worker);
 * the worker stores the results in {@code health_results}. It restarts nothing: restarts come from
 * each gateway's own supervisor, which probes on its own schedule.
 */
@DisallowConcurrentExecution
public final class CheckHealthJob implements Job {
  public static final String NAME = "check-health";

  private final Storage storage;
  private final TaskPublisher publisher;
  private final JobRunRecorder recorder;
  private final Clock clock;

  public CheckHealthJob(
      Storage storage, TaskPublisher publisher, JobRunRecorder recorder, Clock clock) {
    this.storage = storage;
    this.publisher = publisher;
    this.recorder = recorder;
    this.clock = clock;
  }

  @Override
  public void execute(JobExecutionContext context) {
    recorder.run(NAME, this::askLiveWorkers);
  }

  String askLiveWorkers() {
    Instant now = clock.instant();
    List<WorkerNode> workers = storage.dao(WorkerDao.class).listAlive(now);
    for (WorkerNode worker : workers) {
      publisher.publish(worker.nodeId(), CheckHealth.of(worker.nodeId(), now));
    }
    return "asked " + workers.size() + " live worker(s)";
  }
}
