package io.clawhive.core.task;

import java.time.Instant;
import java.util.UUID;

/**
 * Give a tenant an instance: claim a warm pool instance or create one. With a null tenant,
 * provision an unassigned instance for the warm pool.
 */
public record CreateInstance(UUID taskId, int attempt, Instant enqueuedAt, Long tenant)
    implements Task {

  public static final String TYPE = "create_instance";

  public CreateInstance {
    TaskChecks.common(taskId, attempt, enqueuedAt);
  }

  /** A first attempt for a tenant with a fresh task id. */
  public static CreateInstance forTenant(long tenant, Instant now) {
    return new CreateInstance(UUID.randomUUID(), FIRST_ATTEMPT, now, tenant);
  }

  /** A first attempt that provisions one warm pool instance. */
  public static CreateInstance forPool(Instant now) {
    return new CreateInstance(UUID.randomUUID(), FIRST_ATTEMPT, now, null);
  }

  @Override
  public CreateInstance withAttempt(int attempt) {
    return new CreateInstance(taskId, attempt, enqueuedAt, tenant);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
