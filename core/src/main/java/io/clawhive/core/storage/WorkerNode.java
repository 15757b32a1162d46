package io.clawhive.core.storage;

import java.time.Duration;
import java.time.Instant;

/** One row of {@code workers}: a worker node's last heartbeat. Memory figures may be unknown. */
public record WorkerNode(
    String nodeId,
    String host,
    int capacity,
    int liveInstances,
    Long memoryUsedBytes,
    Long memoryTotalBytes,
    Instant startedAt,
    Instant heartbeatAt,
    WorkerStatus status) {

  /**
   * How recent a heartbeat must be for the worker to count as alive: three missed 10 s beats.
   * Placement, the health sweep and the admin API all use this one definition.
   */
  public static final Duration ALIVE_WITHIN = Duration.ofSeconds(30);

  /** UP and heard from within {@link #ALIVE_WITHIN} of {@code now}. */
  public boolean aliveAt(Instant now) {
    return status == WorkerStatus.UP
        && heartbeatAt != null
        && heartbeatAt.isAfter(now.minus(ALIVE_WITHIN));
  }
}
