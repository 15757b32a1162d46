package io.clawhive.core.telegram;

import java.time.Duration;
import java.util.Objects;

/**
 * How the Bot API client retries: 429 waits Telegram's {@code retry_after} (at most {@code
 * maxRetryAfter} per wait, at most {@code maxRateLimitWaits} waits per call); 5xx and network
 * failures are retried {@code maxServerRetries} times with doubling back-off from {@code
 * initialBackoff} to {@code maxBackoff}.
 */
public record TelegramRetryPolicy(
    int maxRateLimitWaits,
    Duration maxRetryAfter,
    int maxServerRetries,
    Duration initialBackoff,
    Duration maxBackoff) {

  public static final int DEFAULT_MAX_RATE_LIMIT_WAITS = 10;
  public static final Duration DEFAULT_MAX_RETRY_AFTER = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_SERVER_RETRIES = 4;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(500);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(8);

  public TelegramRetryPolicy {
    if (maxRateLimitWaits < 0 || maxServerRetries < 0) {
      throw new IllegalArgumentException("retry counts must be >= 0");
    }
    Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff");
    }
  }

  public static TelegramRetryPolicy defaults() {
    return new TelegramRetryPolicy(
        DEFAULT_MAX_RATE_LIMIT_WAITS,
        DEFAULT_MAX_RETRY_AFTER,
        DEFAULT_MAX_SERVER_RETRIES,
        DEFAULT_INITIAL_BACKOFF,
        DEFAULT_MAX_BACKOFF);
  }

  Duration backoffAfter(int failedAttempt) {
    Duration delay = initialBackoff.multipliedBy(1L << Math.min(failedAttempt - 1, 20));
    return delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay;
  }
}
