package io.clawhive.worker.routing;

import java.time.Instant;
import java.util.Optional;

/**
 * What the worker's model proxy refused a tenant for being over a budget, so that the user gets a
 * clear message instead of whatever the gateway makes of the proxy's HTTP 429.
 */
public interface BudgetRefusals {

  /** No budgets: nothing is ever refused. */
  BudgetRefusals NONE =
      new BudgetRefusals() {
        @Override
        public Optional<String> exhausted(long tenantId) {
          return Optional.empty();
        }

        @Override
        public Optional<String> refusedSince(long tenantId, Instant since) {
          return Optional.empty();
        }
      };

  /** The message for the user when the tenant's budget is used up right now (no model call). */
  Optional<String> exhausted(long tenantId);

  /** The message for the user when the proxy refused the tenant at or after {@code since}. */
  Optional<String> refusedSince(long tenantId, Instant since);
}
