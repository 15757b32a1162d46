package io.clawhive.scheduler;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck;
import com.rabbitmq.client.Connection;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.Storage;
import io.clawhive.scheduler.failover.Failover;
import io.clawhive.scheduler.jobs.CheckHealthJob;
import io.clawhive.scheduler.jobs.FailOverWorkersJob;
import io.clawhive.scheduler.jobs.JobRunRecorder;
import io.clawhive.scheduler.jobs.PruneHistoryJob;
import io.clawhive.scheduler.jobs.SkillRollouts;
import io.clawhive.scheduler.jobs.UpdateSkillsJob;
import io.dropwizard.core.setup.Environment;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.quartz.Job;
import org.quartz.impl.matchers.GroupMatcher;

/**
 * Wires the scheduler role into a node: the clustered Quartz scheduler, its jobs (periodic health
 * sweep, nightly skill update, history pruning, failover of dead workers; each run recorded in
 * {@code job_runs}) and its health check.
 */
public final class SchedulerRole {
  private SchedulerRole() {}

  /**
   * What the scheduler needs from the rest of the node. {@code connection} and {@code topology}
   * (null in tests that need no failover) let the failover job move a dead worker's queue.
   */
  public record Context(
      DataSource dataSource,
      boolean postgres,
      String nodeId,
      Storage storage,
      TaskPublisher publisher,
      Clock clock,
      MetricRegistry metrics,
      Connection connection,
      BrokerTopology topology) {
    /** Without failover (tests). */
    public Context(
        DataSource dataSource,
        boolean postgres,
        String nodeId,
        Storage storage,
        TaskPublisher publisher,
        Clock clock,
        MetricRegistry metrics) {
      this(dataSource, postgres, nodeId, storage, publisher, clock, metrics, null, null);
    }

    /** Without metrics to report to (tests). */
    public Context(
        DataSource dataSource,
        boolean postgres,
        String nodeId,
        Storage storage,
        TaskPublisher publisher,
        Clock clock) {
      this(dataSource, postgres, nodeId, storage, publisher, clock, new MetricRegistry());
    }
  }

  public static QuartzScheduler install(
      Environment environment, SchedulerConfig config, Context node) {
    QuartzScheduler quartz = build(config, node);
    environment.lifecycle().manage(quartz);
    environment
        .healthChecks()
        .register(
            "scheduler",
            new HealthCheck() {
              @Override
              protected Result check() throws Exception {
                return quartz.isRunning()
                    ? Result.healthy(
                        "Quartz running, %d job(s)",
                        quartz.scheduler().getJobKeys(GroupMatcher.anyGroup()).size())
                    : Result.unhealthy("Quartz is not running");
              }
            });
    return quartz;
  }

  /** The scheduler with every job scheduled, not yet started. */
  static QuartzScheduler build(SchedulerConfig config, Context node) {
    QuartzScheduler quartz =
        new QuartzScheduler(config, node.dataSource(), node.postgres(), node.nodeId());
    quartz.useJobs(jobs(config, node));
    quartz.scheduleEvery(
        CheckHealthJob.NAME, CheckHealthJob.class, config.getHealthCheckInterval());
    quartz.scheduleCron(UpdateSkillsJob.NAME, UpdateSkillsJob.class, config.getSkillUpdateCron());
    quartz.scheduleEvery(PruneHistoryJob.NAME, PruneHistoryJob.class, config.getPruneInterval());
    if (node.connection() != null) {
      quartz.scheduleEvery(
          FailOverWorkersJob.NAME, FailOverWorkersJob.class, config.getFailoverCheckInterval());
    }
    return quartz;
  }

  static Map<Class<? extends Job>, Supplier<Job>> jobs(SchedulerConfig config, Context node) {
    JobRunRecorder recorder =
        new JobRunRecorder(node.storage(), node.nodeId(), node.clock(), node.metrics());
    PruneHistoryJob.Retention retention =
        new PruneHistoryJob.Retention(
            config.getHealthResultsRetention().toJavaDuration(),
            config.getJobRunsRetention().toJavaDuration(),
            config.getProcessedUpdatesRetention().toJavaDuration());
    Map<Class<? extends Job>, Supplier<Job>> jobs = new java.util.HashMap<>();
    if (node.connection() != null) {
      Failover failover =
          new Failover(
              node.storage(),
              node.connection(),
              node.topology(),
              node.publisher(),
              config.getWorkerDeadAfter().toJavaDuration(),
              node.clock());
      jobs.put(FailOverWorkersJob.class, () -> new FailOverWorkersJob(failover, recorder));
    }
    jobs.putAll(
        Map.of(
            CheckHealthJob.class,
            () -> new CheckHealthJob(node.storage(), node.publisher(), recorder, node.clock()),
            UpdateSkillsJob.class,
            () ->
                new UpdateSkillsJob(
                    new SkillRollouts(
                        node.storage(),
                        node.publisher(),
                        config.getSkillRollout().settings(),
                        node.nodeId(),
                        node.clock()),
                    recorder),
            PruneHistoryJob.class,
            () -> new PruneHistoryJob(node.storage(), retention, recorder, node.clock())));
    return jobs;
  }
}
