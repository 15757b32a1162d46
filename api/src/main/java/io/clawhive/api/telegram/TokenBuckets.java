package io.clawhive.api.telegram;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One token bucket per user: {@code burst} tokens, refilled at {@code perMinute} per minute.
 * Buckets that are full again are forgotten, so memory follows the active users only.
 */
final class TokenBuckets {
  /** Buckets are swept when the map grows past this many. */
  static final int SWEEP_ABOVE = 10_000;

  private final double capacity;
  private final double perNano;
  private final Clock clock;
  private final Map<Long, Bucket> buckets = new ConcurrentHashMap<>();

  /** Outcome of one message: allowed, or refused (and whether this is the first refusal). */
  enum Verdict {
    ALLOWED,
    REFUSED_FIRST,
    REFUSED_AGAIN
  }

  private static final class Bucket {
    double tokens;
    long at;
    boolean warned;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  TokenBuckets(int perMinute, int burst, Clock clock) {
    this.capacity = burst;
    this.perNano = perMinute / (double) Duration.ofMinutes(1).toNanos();
    this.clock = clock;
  }

  Verdict take(long user) {
    long now = nanos();
    if (buckets.size() > SWEEP_ABOVE) {
      sweep(now);
    }
    Bucket bucket = buckets.computeIfAbsent(user, u -> new Bucket(capacity, now));
    synchronized (bucket) {
      bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * perNano);
      bucket.at = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        bucket.warned = false;
        return Verdict.ALLOWED;
      }
      boolean first = !bucket.warned;
      bucket.warned = true;
      return first ? Verdict.REFUSED_FIRST : Verdict.REFUSED_AGAIN;
    }
  }

  private void sweep(long now) {
    buckets
        .entrySet()
        .removeIf(e -> e.getValue().tokens + (now - e.getValue().at) * perNano >= capacity);
  }

  private long nanos() {
    java.time.Instant instant = clock.instant();
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }
}
