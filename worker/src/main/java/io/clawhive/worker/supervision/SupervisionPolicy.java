package io.clawhive.worker.supervision;

import java.time.Duration;
import java.util.Objects;

/**
 * The supervision semantics of a gateway, named after where they come from:
 *
 * <ul>
 *   <li>probes (Kubernetes): readiness = {@code /readyz} 200 every {@code readinessPeriod} until
 *       ready or {@code startupTimeout}; liveness = {@code /healthz} every {@code livenessPeriod};
 *       each probe gives up after {@code probeTimeout}; {@code unhealthyThreshold} consecutive
 *       failures make it UNHEALTHY, {@code restartThreshold} (≥ the former) restart it;
 *   <li>CrashLoopBackOff (Kubernetes): restart delay doubles from {@code backoffInitial} to {@code
 *       backoffMax}, reset after {@code backoffResetAfter} healthy;
 *   <li>StartLimitBurst / StartLimitIntervalSec (systemd): more than {@code startLimitBurst} starts
 *       within {@code startLimitInterval} → FAILED;
 *   <li>TimeoutStopSec (systemd): SIGTERM, {@code stopGrace}, then SIGKILL;
 *   <li>memory: working set above {@code memoryRestartFraction} of the limit → graceful restart.
 * </ul>
 */
public record SupervisionPolicy(
    Duration probeTimeout,
    Duration readinessPeriod,
    Duration startupTimeout,
    Duration livenessPeriod,
    int unhealthyThreshold,
    int restartThreshold,
    Duration backoffInitial,
    Duration backoffMax,
    Duration backoffResetAfter,
    int startLimitBurst,
    Duration startLimitInterval,
    Duration stopGrace,
    double memoryRestartFraction) {

  public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_READINESS_PERIOD = Duration.ofSeconds(1);

  /** Ready takes ≈ 5–10 s on 2 cores with one gateway; several starting at once take longer. */
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(120);

  public static final Duration DEFAULT_LIVENESS_PERIOD = Duration.ofSeconds(10);
  public static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;
  public static final int DEFAULT_RESTART_THRESHOLD = 3;
  public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);
  public static final Duration DEFAULT_BACKOFF_RESET_AFTER = Duration.ofMinutes(10);
  public static final int DEFAULT_START_LIMIT_BURST = 5;
  public static final Duration DEFAULT_START_LIMIT_INTERVAL = Duration.ofMinutes(10);

  /** OpenClaw exits cleanly ≈ 2 s after SIGTERM. */
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(10);

  public static final double DEFAULT_MEMORY_RESTART_FRACTION = 0.9;

  public SupervisionPolicy {
    positive(probeTimeout, "probeTimeout");
    positive(readinessPeriod, "readinessPeriod");
    positive(startupTimeout, "startupTimeout");
    positive(livenessPeriod, "livenessPeriod");
    positive(backoffInitial, "backoffInitial");
    positive(backoffMax, "backoffMax");
    positive(backoffResetAfter, "backoffResetAfter");
    positive(startLimitInterval, "startLimitInterval");
    positive(stopGrace, "stopGrace");
    if (unhealthyThreshold < 1) {
      throw new IllegalArgumentException("unhealthyThreshold must be >= 1");
    }
    if (restartThreshold < unhealthyThreshold) {
      throw new IllegalArgumentException("restartThreshold must be >= unhealthyThreshold");
    }
    if (backoffMax.compareTo(backoffInitial) < 0) {
      throw new IllegalArgumentException("backoffMax must be >= backoffInitial");
    }
    if (startLimitBurst < 1) {
      throw new IllegalArgumentException("startLimitBurst must be >= 1");
    }
    if (!(memoryRestartFraction > 0 && memoryRestartFraction <= 1)) {
      throw new IllegalArgumentException("memoryRestartFraction must be in (0, 1]");
    }
  }

  public static SupervisionPolicy defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0, was " + d);
    }
  }

  /** Builder starting from the defaults. */
  public static final class Builder {
    private Duration probeTimeout = DEFAULT_PROBE_TIMEOUT;
    private Duration readinessPeriod = DEFAULT_READINESS_PERIOD;
    private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
    private Duration livenessPeriod = DEFAULT_LIVENESS_PERIOD;
    private int unhealthyThreshold = DEFAULT_UNHEALTHY_THRESHOLD;
    private int restartThreshold = DEFAULT_RESTART_THRESHOLD;
    private Duration backoffInitial = DEFAULT_BACKOFF_INITIAL;
    private Duration backoffMax = DEFAULT_BACKOFF_MAX;
    private Duration backoffResetAfter = DEFAULT_BACKOFF_RESET_AFTER;
    private int startLimitBurst = DEFAULT_START_LIMIT_BURST;
    private Duration startLimitInterval = DEFAULT_START_LIMIT_INTERVAL;
    private Duration stopGrace = DEFAULT_STOP_GRACE;
    private double memoryRestartFraction = DEFAULT_MEMORY_RESTART_FRACTION;

    public Builder probeTimeout(Duration v) {
      probeTimeout = v;
      return this;
    }

    public Builder readinessPeriod(Duration v) {
      readinessPeriod = v;
      return this;
    }

    public Builder startupTimeout(Duration v) {
      startupTimeout = v;
      return this;
    }

    public Builder livenessPeriod(Duration v) {
      livenessPeriod = v;
      return this;
    }

    public Builder thresholds(int unhealthy, int restart) {
      unhealthyThreshold = unhealthy;
      restartThreshold = restart;
      return this;
    }

    public Builder backoff(Duration initial, Duration max, Duration resetAfter) {
      backoffInitial = initial;
      backoffMax = max;
      backoffResetAfter = resetAfter;
      return this;
    }

    public Builder startLimit(int burst, Duration interval) {
      startLimitBurst = burst;
      startLimitInterval = interval;
      return this;
    }

    public Builder stopGrace(Duration v) {
      stopGrace = v;
      return this;
    }

    public Builder memoryRestartFraction(double v) {
      memoryRestartFraction = v;
      return this;
    }

    public SupervisionPolicy build() {
      return new SupervisionPolicy(
          probeTimeout,
          readinessPeriod,
          startupTimeout,
          livenessPeriod,
          unhealthyThreshold,
          restartThreshold,
          backoffInitial,
          backoffMax,
          backoffResetAfter,
          startLimitBurst,
          startLimitInterval,
          stopGrace,
          memoryRestartFraction);
    }
  }
}
