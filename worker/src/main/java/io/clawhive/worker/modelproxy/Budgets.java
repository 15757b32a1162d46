package io.clawhive.worker.modelproxy;

import io.clawhive.core.storage.ModelUsage;
import io.clawhive.core.storage.ModelUsageDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.routing.BudgetRefusals;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model budgets of each tenant: requests per minute (a sliding minute, in memory) and tokens
 * per UTC day (from {@code model_usage}, so it holds across worker restarts). 0 = unlimited. The
 * last refusal of each tenant is remembered so that routing can tell the user.
 */
final class Budgets implements BudgetRefusals {

  static final Duration WINDOW = Duration.ofMinutes(1);

  /** One refusal: what was exceeded, the user's message, and when the budget is back. */
  record Refusal(String kind, String message, Instant at, Instant resetAt) {}

  private final int requestsPerMinute;
  private final long tokensPerDay;
  private final Storage storage;
  private final Clock clock;
  private final Map<Long, Deque<Instant>> recent = new ConcurrentHashMap<>();
  private final Map<Long, Refusal> lastRefusal = new ConcurrentHashMap<>();

  Budgets(int requestsPerMinute, long tokensPerDay, Storage storage, Clock clock) {
    this.requestsPerMinute = requestsPerMinute;
    this.tokensPerDay = tokensPerDay;
    this.storage = storage;
    this.clock = clock;
  }

  /** Empty when the request may go (and then it counts); else the refusal, remembered. */
  Optional<Refusal> admit(long tenantId) {
    Instant now = clock.instant();
    Optional<Refusal> refusal = overTokens(tenantId, now);
    if (refusal.isEmpty() && requestsPerMinute > 0) {
      Deque<Instant> window = recent.computeIfAbsent(tenantId, t -> new ArrayDeque<>());
      synchronized (window) {
        Instant cutoff = now.minus(WINDOW);
        while (!window.isEmpty() && !window.peekFirst().isAfter(cutoff)) {
          window.pollFirst();
        }
        if (window.size() >= requestsPerMinute) {
          Instant reset = window.peekFirst().plus(WINDOW);
          refusal =
              Optional.of(
                  new Refusal(
                      "requests",
                      "Your assistant has reached its limit of "
                          + requestsPerMinute
                          + " model requests a minute. Please try again in a minute.",
                      now,
                      reset));
        } else {
          window.addLast(now);
        }
      }
    }
    refusal.ifPresent(r -> lastRefusal.put(tenantId, r));
    return refusal;
  }

  @Override
  public Optional<String> exhausted(long tenantId) {
    return overTokens(tenantId, clock.instant()).map(Refusal::message);
  }

  @Override
  public Optional<String> refusedSince(long tenantId, Instant since) {
    Refusal refusal = lastRefusal.get(tenantId);
    return refusal == null || refusal.at().isBefore(since)
        ? Optional.empty()
        : Optional.of(refusal.message());
  }

  private Optional<Refusal> overTokens(long tenantId, Instant now) {
    if (tokensPerDay <= 0) {
      return Optional.empty();
    }
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    long used =
        storage.dao(ModelUsageDao.class).find(tenantId, today).map(ModelUsage::tokens).orElse(0L);
    if (used < tokensPerDay) {
      return Optional.empty();
    }
    Instant reset = today.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    Duration left = Duration.between(now, reset);
    return Optional.of(
        new Refusal(
            "tokens",
            String.format(
                "Your assistant has used its daily budget of %,d model tokens. It resets at 00:00"
                    + " UTC (in %d h %02d min).",
                tokensPerDay, left.toHours(), left.toMinutesPart()),
            now,
            reset));
  }
}
