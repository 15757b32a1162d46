package io.clawhive.core.storage;

import java.time.Instant;

/**
 * One row of {@code instances}: one OpenClaw gateway. {@code tenantId} is null while the instance
 * waits in a worker's warm pool. {@code authToken} is a secret and is left out of {@link
 * #toString()}. {@code version} grows by one on every update.
 */
public record Instance(
    String id,
    Long tenantId,
    String workerNode,
    int port,
    InstanceState desiredState,
    InstanceState actualState,
    String authToken,
    String systemUsername,
    String baseDir,
    Long pid,
    int restartCount,
    int consecutiveFailures,
    String failureReason,
    Instant lastStartedAt,
    Instant lastHealthyAt,
    Instant lastActiveAt,
    Instant createdAt,
    Instant updatedAt,
    int version) {

  /** A new instance row in state PROVISIONING (desired RUNNING), counters at zero. */
  public static Instance provisioning(
      String id,
      Long tenantId,
      String workerNode,
      int port,
      String authToken,
      String systemUsername,
      String baseDir,
      Instant now) {
    return new Instance(
        id,
        tenantId,
        workerNode,
        port,
        InstanceState.RUNNING,
        InstanceState.PROVISIONING,
        authToken,
        systemUsername,
        baseDir,
        null,
        0,
        0,
        null,
        null,
        null,
        null,
        now,
        now,
        0);
  }

  /** True while the instance sits unassigned in the warm pool. */
  public boolean pooled() {
    return tenantId == null;
  }

  @Override
  public String toString() {
    return "Instance[id="
        + id
        + ", tenantId="
        + tenantId
        + ", workerNode="
        + workerNode
        + ", port="
        + port
        + ", desiredState="
        + desiredState
        + ", actualState="
        + actualState
        + ", systemUsername="
        + systemUsername
        + ", baseDir="
        + baseDir
        + ", pid="
        + pid
        + ", restartCount="
        + restartCount
        + ", consecutiveFailures="
        + consecutiveFailures
        + ", failureReason="
        + failureReason
        + ", lastStartedAt="
        + lastStartedAt
        + ", lastHealthyAt="
        + lastHealthyAt
        + ", lastActiveAt="
        + lastActiveAt
        + ", createdAt="
        + createdAt
        + ", updatedAt="
        + updatedAt
        + ", version="
        + version
        + "]";
  }
}
