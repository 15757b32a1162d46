package io.clawhive.api.telegram;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most one notice per user per {@code period} (e.g. the one-person reply of a single-tenant
 * node): {@link #allow} is true for the first call of a user and again once the period is over.
 * Entries older than the period are swept when the map grows large.
 */
final class OncePerPeriod {
  /** Entries are swept when the map grows past this many. */
  static final int SWEEP_ABOVE = 10_000;

  private final Duration period;
  private final Clock clock;
  private final Map<Long, Instant> lastAllowed = new ConcurrentHashMap<>();

  OncePerPeriod(Duration period, Clock clock) {
    this.period = period;
    this.clock = clock;
  }

  boolean allow(long user) {
    Instant now = clock.instant();
    boolean[] allowed = {false};
    lastAllowed.compute(
        user,
        (u, last) -> {
          if (last == null || !now.isBefore(last.plus(period))) {
            allowed[0] = true;
            return now;
          }
          return last;
        });
    if (lastAllowed.size() > SWEEP_ABOVE) {
      lastAllowed.values().removeIf(last -> !now.isBefore(last.plus(period)));
    }
    return allowed[0];
  }
}
