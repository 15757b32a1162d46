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

  @Min(1)
  @Max(64)
  private int threadCount = DEFAULT_THREAD_COUNT;

  /** How often a scheduler node tells the cluster it is alive (Quartz clusterCheckinInterval). */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration clusterCheckinInterval = DEFAULT_CLUSTER_CHECKIN;

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
  public void setClusterCheckinInterval(Duration clusterCheckinInterval) {
    this.clusterCheckinInterval = clusterCheckinInterval;
  }

  @Override
  public String toString() {
    return "scheduler{threadCount="
        + threadCount
        + ", clusterCheckinInterval="
        + clusterCheckinInterval
        + "}";
  }
}
