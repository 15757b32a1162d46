package io.clawhive.core.broker;

import java.time.Duration;

/**
 * How a {@link TaskConsumer} works. Retries stay in the tenant's lane (order kept) with the message
 * unacked, so the worst-case total back-off must stay well below RabbitMQ's delivery
 * acknowledgement timeout (30 min by default); it is capped at {@link #MAX_TOTAL_BACKOFF}.
 *
 * @param prefetch unacked deliveries the broker may push to this consumer at once
 * @param parallelism threads running handlers (different tenants in parallel)
 * @param maxAttempts attempts before a failing task is dead-lettered (1 = no retry)
 * @param initialBackoff delay before the second attempt; doubled for every further one
 * @param maxBackoff cap of one delay
 * @param stopTimeout how long {@link TaskConsumer#stop()} waits for in-flight tasks
 * @param confirmTimeout how long a dead-letter publish waits for the broker's confirm
 * @param maxQueuedPerTenant deliveries of one tenant that may wait behind its running one; a
 *     declinable task beyond that is declined (see {@link TaskOverflow}), so one tenant holds at
 *     most {@code 1 + maxQueuedPerTenant} of the {@code prefetch} window and one task thread
 */
public record TaskConsumerSettings(
    int prefetch,
    int parallelism,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration stopTimeout,
    Duration confirmTimeout,
    int maxQueuedPerTenant) {

  /**
   * Large enough for {@link #DEFAULT_PARALLELISM} busy tenants with full queues ({@code 32 × (1 +
   * 4) = 160}) and still room for everyone else's next message.
   */
  public static final int DEFAULT_PREFETCH = 256;

  /**
   * A chat holds its thread while it waits for the gateway (mostly idle): more threads than live
   * gateways per worker, so that busy tenants never take every thread.
   */
  public static final int DEFAULT_PARALLELISM = 32;

  /** One running message per tenant plus this many waiting; more are declined. */
  public static final int DEFAULT_MAX_QUEUED_PER_TENANT = 4;

  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(60);
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration MAX_TOTAL_BACKOFF = Duration.ofMinutes(15);

  public TaskConsumerSettings {
    TaskBusChecks.positive(prefetch, "prefetch");
    TaskBusChecks.positive(parallelism, "parallelism");
    TaskBusChecks.positive(maxAttempts, "maxAttempts");
    TaskBusChecks.positive(initialBackoff, "initialBackoff");
    TaskBusChecks.positive(maxBackoff, "maxBackoff");
    TaskBusChecks.positive(stopTimeout, "stopTimeout");
    TaskBusChecks.positive(confirmTimeout, "confirmTimeout");
    if (maxQueuedPerTenant < 0) {
      throw new IllegalArgumentException(
          "maxQueuedPerTenant must be >= 0 but was " + maxQueuedPerTenant);
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "maxBackoff " + maxBackoff + " is shorter than initialBackoff " + initialBackoff);
    }
    Duration total = Duration.ZERO;
    for (int attempt = 1; attempt < maxAttempts; attempt++) {
      total = total.plus(backoff(attempt, initialBackoff, maxBackoff));
    }
    if (total.compareTo(MAX_TOTAL_BACKOFF) > 0) {
      throw new IllegalArgumentException(
          "maxAttempts/initialBackoff/maxBackoff add up to "
              + total
              + " of back-off, over "
              + MAX_TOTAL_BACKOFF);
    }
  }

  public static TaskConsumerSettings defaults() {
    return new TaskConsumerSettings(
        DEFAULT_PREFETCH,
        DEFAULT_PARALLELISM,
        DEFAULT_MAX_ATTEMPTS,
        DEFAULT_INITIAL_BACKOFF,
        DEFAULT_MAX_BACKOFF,
        DEFAULT_STOP_TIMEOUT,
        TaskPublisher.DEFAULT_CONFIRM_TIMEOUT,
        DEFAULT_MAX_QUEUED_PER_TENANT);
  }

  public TaskConsumerSettings withPrefetch(int value) {
    return new TaskConsumerSettings(
        value,
        parallelism,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        stopTimeout,
        confirmTimeout,
        maxQueuedPerTenant);
  }

  public TaskConsumerSettings withParallelism(int value) {
    return new TaskConsumerSettings(
        prefetch,
        value,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        stopTimeout,
        confirmTimeout,
        maxQueuedPerTenant);
  }

  public TaskConsumerSettings withRetries(int attempts, Duration initial, Duration max) {
    return new TaskConsumerSettings(
        prefetch,
        parallelism,
        attempts,
        initial,
        max,
        stopTimeout,
        confirmTimeout,
        maxQueuedPerTenant);
  }

  public TaskConsumerSettings withStopTimeout(Duration value) {
    return new TaskConsumerSettings(
        prefetch,
        parallelism,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        value,
        confirmTimeout,
        maxQueuedPerTenant);
  }

  public TaskConsumerSettings withMaxQueuedPerTenant(int value) {
    return new TaskConsumerSettings(
        prefetch,
        parallelism,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        stopTimeout,
        confirmTimeout,
        value);
  }

  /** Deliveries one tenant may hold at once: its running one plus its waiting ones. */
  public int maxHeldPerTenant() {
    return 1 + maxQueuedPerTenant;
  }

  /**
   * Whether every thread can be busy with a tenant whose queue is full and the prefetch window
   * still has room for another tenant's message.
   */
  public boolean prefetchCoversBusyTenants() {
    return prefetch > (long) parallelism * maxHeldPerTenant();
  }

  /** The delay after failed attempt {@code failedAttempt} (1-based): doubling, capped. */
  public Duration backoffAfter(int failedAttempt) {
    return backoff(failedAttempt, initialBackoff, maxBackoff);
  }

  private static Duration backoff(int failedAttempt, Duration initial, Duration max) {
    int doublings = Math.min(failedAttempt - 1, 30);
    Duration delay = initial.multipliedBy(1L << doublings);
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
