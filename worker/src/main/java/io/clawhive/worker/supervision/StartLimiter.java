package io.clawhive.worker.supervision;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * systemd's StartLimitBurst / StartLimitIntervalSec: at most {@code burst} starts within any {@code
 * interval}; the next one is refused and the instance goes FAILED.
 */
final class StartLimiter {

  private final int burst;
  private final Duration interval;
  private final Clock clock;
  private final Deque<Instant> starts = new ArrayDeque<>();

  StartLimiter(int burst, Duration interval, Clock clock) {
    this.burst = burst;
    this.interval = interval;
    this.clock = clock;
  }

  /** Records a start and returns true, or returns false when the burst is used up. */
  boolean tryAcquire() {
    Instant now = clock.instant();
    Instant windowStart = now.minus(interval);
    while (!starts.isEmpty() && !starts.peekFirst().isAfter(windowStart)) {
      starts.removeFirst();
    }
    if (starts.size() >= burst) {
      return false;
    }
    starts.addLast(now);
    return true;
  }

  void reset() {
    starts.clear();
  }
}
