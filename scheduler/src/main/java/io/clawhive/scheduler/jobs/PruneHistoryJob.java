package io.clawhive.scheduler.jobs;

import io.clawhive.core.storage.HealthResultDao;
import io.clawhive.core.storage.JobRunDao;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.Storage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;

/**
 * Keeps history tables bounded: health results, job runs and processed Telegram updates older than
 * their retention are deleted. Telegram keeps an update at most 24 h, so a deduplication window of
 * days is ample.
 */
@DisallowConcurrentExecution
public final class PruneHistoryJob implements Job {
  public static final String NAME = "prune-history";

  /** How long each kind of history is kept. */
  public record Retention(Duration healthResults, Duration jobRuns, Duration processedUpdates) {}

  private final Storage storage;
  private final Retention retention;
  private final JobRunRecorder recorder;
  private final Clock clock;

  public PruneHistoryJob(
      Storage storage, Retention retention, JobRunRecorder recorder, Clock clock) {
    this.storage = storage;
    this.retention = retention;
    this.recorder = recorder;
    this.clock = clock;
  }

  @Override
  public void execute(JobExecutionContext context) {
    recorder.run(NAME, this::prune);
  }

  String prune() {
    Instant now = clock.instant();
    int health =
        storage
            .dao(HealthResultDao.class)
            .deleteCheckedBefore(now.minus(retention.healthResults()));
    int runs = storage.dao(JobRunDao.class).deleteStartedBefore(now.minus(retention.jobRuns()));
    int updates =
        storage
            .dao(ProcessedUpdateDao.class)
            .deleteReceivedBefore(now.minus(retention.processedUpdates()));
    return "deleted "
        + health
        + " health result(s), "
        + runs
        + " job run(s), "
        + updates
        + " processed update(s)";
  }
}
