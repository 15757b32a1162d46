package io.clawhive.core.storage;

import java.time.Instant;

/** One row of {@code processed_updates}: a Telegram update seen once (dedupe by update id). */
public record ProcessedUpdate(
    long updateId,
    Long tenantId,
    Instant receivedAt,
    String taskId,
    UpdateStatus status,
    Instant answeredAt) {

  /** A freshly received update, not yet queued. */
  public static ProcessedUpdate received(long updateId, Long tenantId, Instant receivedAt) {
    return new ProcessedUpdate(updateId, tenantId, receivedAt, null, UpdateStatus.RECEIVED, null);
  }
}
