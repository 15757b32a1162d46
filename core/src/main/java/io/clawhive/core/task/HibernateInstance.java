package io.clawhive.core.task;

import java.time.Instant;
import java.util.UUID;

/** Stop an idle instance's process and keep its files; it wakes on the next message. */
public record HibernateInstance(
    UUID taskId, int attempt, Instant enqueuedAt, Long tenant, String instanceId) implements Task {

  public static final String TYPE = "hibernate_instance";

  public HibernateInstance {
    TaskChecks.common(taskId, attempt, enqueuedAt);
    TaskChecks.requiredText(instanceId, "instanceId");
  }

  /** A first attempt with a fresh task id. */
  public static HibernateInstance of(Long tenant, String instanceId, Instant now) {
    return new HibernateInstance(UUID.randomUUID(), FIRST_ATTEMPT, now, tenant, instanceId);
  }

  @Override
  public HibernateInstance withAttempt(int attempt) {
    return new HibernateInstance(taskId, attempt, enqueuedAt, tenant, instanceId);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
