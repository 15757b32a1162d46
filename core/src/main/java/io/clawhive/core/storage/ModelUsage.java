package io.clawhive.core.storage;

import java.time.Instant;
import java.time.LocalDate;

/**
 * One row of {@code model_usage}: what one tenant's assistant used of the model on one UTC day, as
 * the worker's model proxy counted it ({@code refused}: requests over a budget, not forwarded).
 */
public record ModelUsage(
    long tenantId,
    LocalDate usageDay,
    long requests,
    long tokensIn,
    long tokensOut,
    long errors,
    long refused,
    Instant updatedAt) {

  public long tokens() {
    return tokensIn + tokensOut;
  }
}
