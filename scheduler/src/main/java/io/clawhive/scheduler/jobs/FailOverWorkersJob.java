package io.clawhive.scheduler.jobs;

import io.clawhive.scheduler.failover.Failover;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;

/**
 * Declares silent workers dead and moves their tenants and queued messages (see {@link Failover}).
 * One run at a time in the whole cluster: the messages of a dead worker are moved in queue order.
 */
@DisallowConcurrentExecution
public final class FailOverWorkersJob implements Job {
  public static final String NAME = "fail-over-workers";

  private final Failover failover;
  private final JobRunRecorder recorder;

  public FailOverWorkersJob(Failover failover, JobRunRecorder recorder) {
    this.failover = failover;
    this.recorder = recorder;
  }

  @Override
  public void execute(JobExecutionContext context) {
    recorder.run(NAME, failover::run);
  }
}
