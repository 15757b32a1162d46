package io.clawhive.core.storage;

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
    WorkerStatus status) {}
