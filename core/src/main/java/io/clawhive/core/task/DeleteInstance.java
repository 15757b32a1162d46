package io.clawhive.core.task;

import java.time.Instant;
import java.util.UUID;

/** Stop an instance and remove its files; the instance ends up DELETED. */
public record DeleteInstance(
    UUID taskId, int attempt, Instant enqueuedAt, Long tenant, String instanceId) implements Task {

  public static final String TYPE = "delete_instance";

  public DeleteInstance {
    TaskChecks.common(taskId, attempt, enqueuedAt);
    TaskChecks.requiredText(instanceId, "instanceId");
  }

  /** A first attempt with a fresh task id. */
  public static DeleteInstance of(Long tenant, String instanceId, Instant now) {
    return new DeleteInstance(UUID.randomUUID(), FIRST_ATTEMPT, now, tenant, instanceId);
  }

  @Override
  public DeleteInstance withAttempt(int attempt) {
    return new DeleteInstance(taskId, attempt, enqueuedAt, tenant, instanceId);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
