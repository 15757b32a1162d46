package io.clawhive.core.task;

import java.time.Instant;
import java.util.UUID;

/** Restart an instance's process; {@code reason} is shown to operators (may be null). */
public record RestartInstance(
    UUID taskId, int attempt, Instant enqueuedAt, Long tenant, String instanceId, String reason)
    implements Task {

  public static final String TYPE = "restart_instance";

  public RestartInstance {
    TaskChecks.common(taskId, attempt, enqueuedAt);
    TaskChecks.requiredText(instanceId, "instanceId");
  }

  /** A first attempt with a fresh task id. */
  public static RestartInstance of(Long tenant, String instanceId, String reason, Instant now) {
    return new RestartInstance(UUID.randomUUID(), FIRST_ATTEMPT, now, tenant, instanceId, reason);
  }

  @Override
  public RestartInstance withAttempt(int attempt) {
    return new RestartInstance(taskId, attempt, enqueuedAt, tenant, instanceId, reason);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
