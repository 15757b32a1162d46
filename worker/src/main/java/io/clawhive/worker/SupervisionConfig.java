package io.clawhive.worker;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.clawhive.worker.supervision.SupervisionPolicy;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * Supervision of each gateway; names and defaults follow {@link SupervisionPolicy} (Kubernetes
 * probes and CrashLoopBackOff, systemd StartLimitBurst and TimeoutStopSec).
 */
public class SupervisionConfig {

  @JsonProperty
  @NotNull
  @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
  private Duration probeTimeout = of(SupervisionPolicy.DEFAULT_PROBE_TIMEOUT);

  @JsonProperty
  @NotNull
  @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
  private Duration readinessPeriod = of(SupervisionPolicy.DEFAULT_READINESS_PERIOD);

  @JsonProperty
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration startupTimeout = of(SupervisionPolicy.DEFAULT_STARTUP_TIMEOUT);

  @JsonProperty
  @NotNull
  @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
  private Duration livenessPeriod = of(SupervisionPolicy.DEFAULT_LIVENESS_PERIOD);

  @JsonProperty
  @Min(1)
  @Max(100)
  private int unhealthyThreshold = SupervisionPolicy.DEFAULT_UNHEALTHY_THRESHOLD;

  @JsonProperty
  @Min(1)
  @Max(100)
  private int restartThreshold = SupervisionPolicy.DEFAULT_RESTART_THRESHOLD;

  @JsonProperty
  @NotNull
  @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
  private Duration backoffInitial = of(SupervisionPolicy.DEFAULT_BACKOFF_INITIAL);

  @JsonProperty
  @NotNull
  @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
  private Duration backoffMax = of(SupervisionPolicy.DEFAULT_BACKOFF_MAX);

  @JsonProperty
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration backoffResetAfter = of(SupervisionPolicy.DEFAULT_BACKOFF_RESET_AFTER);

  @JsonProperty
  @Min(1)
  @Max(1_000)
  private int startLimitBurst = SupervisionPolicy.DEFAULT_START_LIMIT_BURST;

  @JsonProperty
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration startLimitInterval = of(SupervisionPolicy.DEFAULT_START_LIMIT_INTERVAL);

  @JsonProperty
  @NotNull
  @MinDuration(value = 100, unit = TimeUnit.MILLISECONDS)
  private Duration stopGrace = of(SupervisionPolicy.DEFAULT_STOP_GRACE);

  @JsonProperty
  @DecimalMin(value = "0.0", inclusive = false)
  @DecimalMax("1.0")
  private double memoryRestartFraction = SupervisionPolicy.DEFAULT_MEMORY_RESTART_FRACTION;

  private static Duration of(java.time.Duration d) {
    return Duration.milliseconds(d.toMillis());
  }

  @JsonIgnore
  @AssertTrue(message = "supervision.restartThreshold must be >= supervision.unhealthyThreshold")
  public boolean isThresholdsOrdered() {
    return restartThreshold >= unhealthyThreshold;
  }

  @JsonIgnore
  @AssertTrue(message = "supervision.backoffMax must be >= supervision.backoffInitial")
  public boolean isBackoffOrdered() {
    return backoffMax.toMilliseconds() >= backoffInitial.toMilliseconds();
  }

  public Duration getStartupTimeout() {
    return startupTimeout;
  }

  public SupervisionPolicy toPolicy() {
    return SupervisionPolicy.builder()
        .probeTimeout(probeTimeout.toJavaDuration())
        .readinessPeriod(readinessPeriod.toJavaDuration())
        .startupTimeout(startupTimeout.toJavaDuration())
        .livenessPeriod(livenessPeriod.toJavaDuration())
        .thresholds(unhealthyThreshold, restartThreshold)
        .backoff(
            backoffInitial.toJavaDuration(),
            backoffMax.toJavaDuration(),
            backoffResetAfter.toJavaDuration())
        .startLimit(startLimitBurst, startLimitInterval.toJavaDuration())
        .stopGrace(stopGrace.toJavaDuration())
        .memoryRestartFraction(memoryRestartFraction)
        .build();
  }

  @Override
  public String toString() {
    return "supervision" + toPolicy();
  }
}
