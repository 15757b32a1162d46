package io.clawhive.core.task;

import java.time.Instant;
import java.util.UUID;

/** Start a hibernated instance again. */
public record WakeInstance(
    UUID taskId, int attempt, Instant enqueuedAt, Long tenant, String instanceId) implements Task {

  public static final String TYPE = "wake_instance";

  public WakeInstance {
    TaskChecks.common(taskId, attempt, enqueuedAt);
    TaskChecks.requiredText(instanceId, "instanceId");
  }

  /** A first attempt with a fresh task id. */
  public static WakeInstance of(Long tenant, String instanceId, Instant now) {
    return new WakeInstance(UUID.randomUUID(), FIRST_ATTEMPT, now, tenant, instanceId);
  }

  @Override
  public WakeInstance withAttempt(int attempt) {
    return new WakeInstance(taskId, attempt, enqueuedAt, tenant, instanceId);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
