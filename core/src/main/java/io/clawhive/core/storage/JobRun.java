package io.clawhive.core.storage;

import java.time.Instant;

/** One row of {@code job_runs}: one execution of a scheduled job on one node. */
public record JobRun(
    long id,
    String jobName,
    String nodeId,
    Instant startedAt,
    Instant finishedAt,
    JobRunStatus status,
    String detail) {}
