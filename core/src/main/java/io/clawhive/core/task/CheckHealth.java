package io.clawhive.core.task;

import java.time.Instant;
import java.util.UUID;

/** Probe every instance a worker node runs. Concerns no single tenant. */
public record CheckHealth(UUID taskId, int attempt, Instant enqueuedAt, String workerNode)
    implements Task {

  public static final String TYPE = "check_health";

  public CheckHealth {
    TaskChecks.common(taskId, attempt, enqueuedAt);
    TaskChecks.requiredText(workerNode, "workerNode");
  }

  /** A first attempt with a fresh task id. */
  public static CheckHealth of(String workerNode, Instant now) {
    return new CheckHealth(UUID.randomUUID(), FIRST_ATTEMPT, now, workerNode);
  }

  @Override
  public Long tenant() {
    return null;
  }

  @Override
  public CheckHealth withAttempt(int attempt) {
    return new CheckHealth(taskId, attempt, enqueuedAt, workerNode);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
