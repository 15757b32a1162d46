package io.clawhive.scheduler;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/** Settings of the scheduler role: Quartz on the node's own database, clustered. */
public class SchedulerConfig {
  static final int DEFAULT_THREAD_COUNT = 4;
  static final Duration DEFAULT_CLUSTER_CHECKIN = Duration.seconds(15);
  static final Duration DEFAULT_HEALTH_CHECK_INTERVAL = Duration.minutes(1);

  /**
   * A trigger later than this is a misfire and skips to its next period instead of catching up
   * (several runs back to back after a node took over).
   */
  static final Duration DEFAULT_WORKER_DEAD_AFTER = Duration.seconds(60);

  static final Duration DEFAULT_FAILOVER_CHECK_INTERVAL = Duration.seconds(10);

  static final Duration DEFAULT_MISFIRE_THRESHOLD = Duration.seconds(5);

  /** Every night at 03:00 (Quartz cron, in the node's time zone). */
  static final String DEFAULT_SKILL_UPDATE_CRON = "0 0 3 * * ?";

  static final Duration DEFAULT_PRUNE_INTERVAL = Duration.hours(1);
  static final Duration DEFAULT_HEALTH_RESULTS_RETENTION = Duration.days(7);
  static final Duration DEFAULT_JOB_RUNS_RETENTION = Duration.days(30);
  static final Duration DEFAULT_PROCESSED_UPDATES_RETENTION = Duration.days(3);

  @Min(1)
  @Max(64)
  private int threadCount = DEFAULT_THREAD_COUNT;

  /** How often a scheduler node tells the cluster it is alive (Quartz clusterCheckinInterval). */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration clusterCheckinInterval = DEFAULT_CLUSTER_CHECKIN;

  /**
   * A worker whose heartbeat is older than this is declared dead: fenced, its tenants and queued
   * messages moved to live workers. Several of the workers' heartbeat intervals.
   */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration workerDeadAfter = DEFAULT_WORKER_DEAD_AFTER;

  /** How often the cluster looks for dead workers and moves their queued messages. */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration failoverCheckInterval = DEFAULT_FAILOVER_CHECK_INTERVAL;

  /** How late a trigger may fire before it counts as missed (Quartz misfireThreshold). */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration misfireThreshold = DEFAULT_MISFIRE_THRESHOLD;

  /** How often every live worker is asked to probe all its gateways. */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration healthCheckInterval = DEFAULT_HEALTH_CHECK_INTERVAL;

  /** When the nightly skill update runs (Quartz cron expression). */
  @NotNull private String skillUpdateCron = DEFAULT_SKILL_UPDATE_CRON;

  /** How the skill update is staged (canaries first, then the rest). */
  @jakarta.validation.Valid @NotNull
  private SkillRolloutConfig skillRollout = new SkillRolloutConfig();

  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration pruneInterval = DEFAULT_PRUNE_INTERVAL;

  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.HOURS)
  private Duration healthResultsRetention = DEFAULT_HEALTH_RESULTS_RETENTION;

  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.HOURS)
  private Duration jobRunsRetention = DEFAULT_JOB_RUNS_RETENTION;

  /** Must exceed Telegram's 24 h redelivery window, or a late retry could be answered twice. */
  @NotNull
  @MinDuration(value = 25, unit = TimeUnit.HOURS)
  private Duration processedUpdatesRetention = DEFAULT_PROCESSED_UPDATES_RETENTION;

  @jakarta.validation.constraints.AssertTrue(
      message = "skillUpdateCron must be a valid Quartz cron expression, e.g. '0 0 3 * * ?'")
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isSkillUpdateCronValid() {
    return org.quartz.CronExpression.isValidExpression(skillUpdateCron);
  }

  @JsonProperty
  public Duration getHealthCheckInterval() {
    return healthCheckInterval;
  }

  @JsonProperty
  public void setHealthCheckInterval(Duration healthCheckInterval) {
    this.healthCheckInterval = healthCheckInterval;
  }

  @JsonProperty
  public String getSkillUpdateCron() {
    return skillUpdateCron;
  }

  @JsonProperty
  public void setSkillUpdateCron(String skillUpdateCron) {
    this.skillUpdateCron = skillUpdateCron == null ? "" : skillUpdateCron.trim();
  }

  @JsonProperty
  public SkillRolloutConfig getSkillRollout() {
    return skillRollout;
  }

  @JsonProperty
  public void setSkillRollout(SkillRolloutConfig skillRollout) {
    this.skillRollout = skillRollout;
  }

  @JsonProperty
  public Duration getPruneInterval() {
    return pruneInterval;
  }

  @JsonProperty
  public void setPruneInterval(Duration pruneInterval) {
    this.pruneInterval = pruneInterval;
  }

  @JsonProperty
  public Duration getHealthResultsRetention() {
    return healthResultsRetention;
  }

  @JsonProperty
  public void setHealthResultsRetention(Duration healthResultsRetention) {
    this.healthResultsRetention = healthResultsRetention;
  }

  @JsonProperty
  public Duration getJobRunsRetention() {
    return jobRunsRetention;
  }

  @JsonProperty
  public void setJobRunsRetention(Duration jobRunsRetention) {
    this.jobRunsRetention = jobRunsRetention;
  }

  @JsonProperty
  public Duration getProcessedUpdatesRetention() {
    return processedUpdatesRetention;
  }

  @JsonProperty
  public void setProcessedUpdatesRetention(Duration processedUpdatesRetention) {
    this.processedUpdatesRetention = processedUpdatesRetention;
  }

  @JsonProperty
  public int getThreadCount() {
    return threadCount;
  }

  @JsonProperty
  public void setThreadCount(int threadCount) {
    this.threadCount = threadCount;
  }

  @JsonProperty
  public Duration getClusterCheckinInterval() {
    return clusterCheckinInterval;
  }

  @JsonProperty
  public Duration getWorkerDeadAfter() {
    return workerDeadAfter;
  }

  @JsonProperty
  public void setWorkerDeadAfter(Duration workerDeadAfter) {
    this.workerDeadAfter = workerDeadAfter;
  }

  @JsonProperty
  public Duration getFailoverCheckInterval() {
    return failoverCheckInterval;
  }

  @JsonProperty
  public void setFailoverCheckInterval(Duration failoverCheckInterval) {
    this.failoverCheckInterval = failoverCheckInterval;
  }

  @JsonProperty
  public Duration getMisfireThreshold() {
    return misfireThreshold;
  }

  @JsonProperty
  public void setMisfireThreshold(Duration misfireThreshold) {
    this.misfireThreshold = misfireThreshold;
  }

  @JsonProperty
  public void setClusterCheckinInterval(Duration clusterCheckinInterval) {
    this.clusterCheckinInterval = clusterCheckinInterval;
  }

  @Override
  public String toString() {
    return "scheduler{threadCount="
        + threadCount
        + ", clusterCheckinInterval="
        + clusterCheckinInterval
        + ", workerDeadAfter="
        + workerDeadAfter
        + ", failoverCheckInterval="
        + failoverCheckInterval
        + ", misfireThreshold="
        + misfireThreshold
        + "}";
  }
}
