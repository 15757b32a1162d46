package io.clawhive.core.storage;

import java.time.Instant;

/** One row of {@code health_results}: one probe of an instance ({@code id} is 0 before insert). */
public record HealthResult(
    long id,
    String instanceId,
    Instant checkedAt,
    boolean live,
    boolean ready,
    Long latencyMs,
    String detail) {}
