package io.clawhive.scheduler.jobs;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;

/**
 * The nightly skill update as a staged rollout ({@link SkillRollouts}): canaries first, the rest
 * only when the canaries held. The run row carries the counts the workers reported (updated, up to
 * date, skipped, failed, not reached); a stopped rollout is recorded as a FAILED run with its
 * reason.
 */
@DisallowConcurrentExecution
public final class UpdateSkillsJob implements Job {
  public static final String NAME = "update-skills";

  private final SkillRollouts rollouts;
  private final JobRunRecorder recorder;

  public UpdateSkillsJob(SkillRollouts rollouts, JobRunRecorder recorder) {
    this.rollouts = rollouts;
    this.recorder = recorder;
  }

  @Override
  public void execute(JobExecutionContext context) {
    recorder.run(NAME, rollouts::run);
  }
}
