package io.clawhive.scheduler;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.clawhive.scheduler.jobs.SkillRollouts;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * How the nightly skill update is staged: {@code canaryShare} of the instances first (at least one
 * when there are any); the rest only after every canary stayed live and ready for {@code
 * canaryWatch} (readiness and liveness probes, not a chat turn: a turn would cost a model call per
 * canary and create a session). Each stage waits at most {@code reportTimeout} for the workers'
 * reports; an instance whose report does not come is counted as not reached.
 */
public class SkillRolloutConfig {
  static final double DEFAULT_CANARY_SHARE = 0.1;
  static final Duration DEFAULT_CANARY_WATCH = Duration.minutes(5);
  static final Duration DEFAULT_REPORT_TIMEOUT = Duration.minutes(30);
  static final Duration DEFAULT_POLL_INTERVAL = Duration.seconds(5);

  @DecimalMin("0.0")
  @DecimalMax("1.0")
  private double canaryShare = DEFAULT_CANARY_SHARE;

  @NotNull
  @MinDuration(value = 0, unit = TimeUnit.SECONDS)
  private Duration canaryWatch = DEFAULT_CANARY_WATCH;

  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration reportTimeout = DEFAULT_REPORT_TIMEOUT;

  @NotNull
  @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
  private Duration pollInterval = DEFAULT_POLL_INTERVAL;

  public SkillRollouts.Settings settings() {
    return new SkillRollouts.Settings(
        canaryShare,
        canaryWatch.toJavaDuration(),
        reportTimeout.toJavaDuration(),
        pollInterval.toJavaDuration());
  }

  @JsonProperty
  public double getCanaryShare() {
    return canaryShare;
  }

  @JsonProperty
  public void setCanaryShare(double canaryShare) {
    this.canaryShare = canaryShare;
  }

  @JsonProperty
  public Duration getCanaryWatch() {
    return canaryWatch;
  }

  @JsonProperty
  public void setCanaryWatch(Duration canaryWatch) {
    this.canaryWatch = canaryWatch;
  }

  @JsonProperty
  public Duration getReportTimeout() {
    return reportTimeout;
  }

  @JsonProperty
  public void setReportTimeout(Duration reportTimeout) {
    this.reportTimeout = reportTimeout;
  }

  @JsonProperty
  public Duration getPollInterval() {
    return pollInterval;
  }

  @JsonProperty
  public void setPollInterval(Duration pollInterval) {
    this.pollInterval = pollInterval;
  }
}
