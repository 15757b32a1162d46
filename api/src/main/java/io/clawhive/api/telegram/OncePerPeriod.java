package io.clawhive.api.telegram;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * At most one notice per user per {@code period} (the invite-only, waitlist and one-person replies
 * to people who are not served): {@link #allow} is true for the first call of a user and again once
 * the period is over. Memory is bounded: entries are kept in the order they were allowed, so
 * expired ones are dropped from the head in O(1) each; when {@code maxTracked} users are remembered
 * and none has expired, a new user is refused (no notice) rather than remembered — under a flood of
 * strangers, silence is the safe side.
 */
final class OncePerPeriod {
  private final Duration period;
  private final int maxTracked;
  private final Clock clock;
  // insertion order = order of the last allowed notice, so the head expires first
  private final LinkedHashMap<Long, Instant> lastAllowed = new LinkedHashMap<>();

  OncePerPeriod(Duration period, int maxTracked, Clock clock) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive, not " + period);
    }
    if (maxTracked < 1) {
      throw new IllegalArgumentException("maxTracked must be >= 1, not " + maxTracked);
    }
    this.period = period;
    this.maxTracked = maxTracked;
    this.clock = clock;
  }

  synchronized boolean allow(long user) {
    Instant now = clock.instant();
    forgetExpired(now);
    Instant last = lastAllowed.get(user);
    if (last != null && now.isBefore(last.plus(period))) {
      return false;
    }
    if (last == null && lastAllowed.size() >= maxTracked) {
      return false;
    }
    lastAllowed.remove(user);
    lastAllowed.put(user, now);
    return true;
  }

  /** Users remembered right now (for tests and the bound). */
  synchronized int tracked() {
    return lastAllowed.size();
  }

  private void forgetExpired(Instant now) {
    Iterator<Map.Entry<Long, Instant>> oldest = lastAllowed.entrySet().iterator();
    while (oldest.hasNext() && !now.isBefore(oldest.next().getValue().plus(period))) {
      oldest.remove();
    }
  }
}
