package io.clawhive.worker.supervision;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Kubernetes CrashLoopBackOff: each restart waits twice as long as the one before, from {@code
 * initial} up to {@code max}; an instance that stayed healthy for {@code resetAfter} starts over at
 * {@code initial}.
 */
final class RestartBackoff {

  private final Duration initial;
  private final Duration max;
  private final Duration resetAfter;
  private final Clock clock;
  private Duration current;

  RestartBackoff(Duration initial, Duration max, Duration resetAfter, Clock clock) {
    this.initial = initial;
    this.max = max;
    this.resetAfter = resetAfter;
    this.clock = clock;
    this.current = initial;
  }

  /** The delay before the next restart; {@code healthySince} null when it never got healthy. */
  Duration next(Instant healthySince) {
    if (healthySince != null
        && Duration.between(healthySince, clock.instant()).compareTo(resetAfter) >= 0) {
      current = initial;
    }
    Duration delay = current;
    Duration doubled = current.multipliedBy(2);
    current = doubled.compareTo(max) > 0 ? max : doubled;
    return delay;
  }

  void reset() {
    current = initial;
  }
}
