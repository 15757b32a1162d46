package io.clawhive.scheduler.jobs;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.clawhive.core.storage.JobRunDao;
import io.clawhive.core.storage.JobRunStatus;
import io.clawhive.core.storage.Storage;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one execution of a scheduled job and records it in {@code job_runs}: started, then SUCCEEDED
 * with the job's one-line summary or FAILED with the error. A failing job is logged once and never
 * thrown into Quartz, which would only log it again.
 */
public final class JobRunRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunRecorder.class);

  private final Storage storage;
  private final String nodeId;
  private final Clock clock;
  private final MetricRegistry metrics;

  public JobRunRecorder(Storage storage, String nodeId, Clock clock) {
    this(storage, nodeId, clock, new MetricRegistry());
  }

  /**
   * Also reports each run to {@code metrics}: timer {@code jobs.<job>.duration} and meters {@code
   * jobs.<job>.succeeded} / {@code jobs.<job>.failed}.
   */
  public JobRunRecorder(Storage storage, String nodeId, Clock clock, MetricRegistry metrics) {
    this.metrics = metrics;
    this.storage = storage;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  /** Runs {@code body}, whose result is the run's summary. */
  public void run(String jobName, Callable<String> body) {
    JobRunDao runs = storage.dao(JobRunDao.class);
    long id = runs.start(jobName, nodeId, clock.instant());
    MDC.put("job", jobName);
    String prefix = MetricRegistry.name("jobs", jobName);
    Timer.Context timing = metrics.timer(MetricRegistry.name(prefix, "duration")).time();
    try {
      String summary = body.call();
      runs.finish(id, JobRunStatus.SUCCEEDED, summary, clock.instant());
      metrics.meter(MetricRegistry.name(prefix, "succeeded")).mark();
      LOG.info("job {} done: {}", jobName, summary);
    } catch (Throwable t) {
      LOG.warn("job {} failed, next run as scheduled: {}", jobName, t.toString());
      metrics.meter(MetricRegistry.name(prefix, "failed")).mark();
      runs.finish(id, JobRunStatus.FAILED, t.toString(), clock.instant());
    } finally {
      timing.stop();
      MDC.remove("job");
    }
  }
}
