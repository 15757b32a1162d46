package io.clawhive.core.task;

import java.time.Instant;
import java.util.UUID;

/** Stop an instance's process (desired state stopped), keeping its files. */
public record StopInstance(
    UUID taskId, int attempt, Instant enqueuedAt, Long tenant, String instanceId) implements Task {

  public static final String TYPE = "stop_instance";

  public StopInstance {
    TaskChecks.common(taskId, attempt, enqueuedAt);
    TaskChecks.requiredText(instanceId, "instanceId");
  }

  /** A first attempt with a fresh task id. */
  public static StopInstance of(Long tenant, String instanceId, Instant now) {
    return new StopInstance(UUID.randomUUID(), FIRST_ATTEMPT, now, tenant, instanceId);
  }

  @Override
  public StopInstance withAttempt(int attempt) {
    return new StopInstance(taskId, attempt, enqueuedAt, tenant, instanceId);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
