package io.clawhive.api.admin;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Slows down guessing of the admin token: a token bucket per remote address that each failed
 * authentication drains and that refills at {@code failuresPerMinute}. An address whose bucket is
 * empty is told to come back later before its token is even looked at. The address table is
 * bounded; beyond {@link #MAX_ADDRESSES} the least recently seen address is forgotten.
 */
final class AuthFailureLimiter {
  static final int MAX_ADDRESSES = 10_000;
  private static final long MINUTE_MILLIS = 60_000;

  private final int failuresPerMinute;
  private final Clock clock;
  private final Map<String, Bucket> buckets =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
          return size() > MAX_ADDRESSES;
        }
      };

  AuthFailureLimiter(int failuresPerMinute, Clock clock) {
    if (failuresPerMinute < 1) {
      throw new IllegalArgumentException("failuresPerMinute must be >= 1: " + failuresPerMinute);
    }
    this.failuresPerMinute = failuresPerMinute;
    this.clock = clock;
  }

  /** How long {@code address} must wait before its next attempt, empty when it may try now. */
  synchronized Optional<Duration> retryAfter(String address) {
    Bucket bucket = buckets.get(address);
    if (bucket == null) {
      return Optional.empty();
    }
    long now = clock.millis();
    bucket.refill(now);
    if (bucket.tokens >= 1) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofMillis((long) Math.ceil((1 - bucket.tokens) * millisPerToken())));
  }

  /** Counts one failed authentication from {@code address}. */
  synchronized void recordFailure(String address) {
    long now = clock.millis();
    Bucket bucket = buckets.computeIfAbsent(address, a -> new Bucket(failuresPerMinute, now));
    bucket.refill(now);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
  }

  synchronized int addresses() {
    return buckets.size();
  }

  private double millisPerToken() {
    return (double) MINUTE_MILLIS / failuresPerMinute;
  }

  private final class Bucket {
    private double tokens;
    private long updatedAt;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.updatedAt = now;
    }

    void refill(long now) {
      if (now > updatedAt) {
        tokens = Math.min(failuresPerMinute, tokens + (now - updatedAt) / millisPerToken());
        updatedAt = now;
      }
    }
  }
}
