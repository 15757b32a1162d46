package io.clawhive.core.storage;

import java.time.Instant;

/**
 * One row of {@code tenant_moves}: a tenant taken off dead worker {@code fromWorker} (declared at
 * {@code fromEpoch}); its messages go to {@code toWorker}. {@code fromInstance} is the instance it
 * lost (null for a tenant that had none there yet, only queued messages).
 */
public record TenantMove(
    long tenantId,
    String fromWorker,
    long fromEpoch,
    String fromInstance,
    String toWorker,
    Instant movedAt,
    Instant settledAt,
    Instant notifiedAt) {}
