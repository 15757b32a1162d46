package io.clawhive.core.storage;

import java.time.Instant;

/**
 * One row of {@code admission_waits}: a message of a tenant who waits for a seat, kept as its
 * encoded route task until a worker admits the tenant.
 */
public record AdmissionWait(
    long id,
    long tenantId,
    String taskId,
    String task,
    Instant enqueuedAt,
    String claimedBy,
    Instant claimedAt) {}
