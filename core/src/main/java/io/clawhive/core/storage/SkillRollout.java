package io.clawhive.core.storage;

import java.time.Instant;

/** One row of {@code skill_rollouts}: one staged run of the nightly skill update. */
public record SkillRollout(
    long id, String nodeId, Instant startedAt, Instant finishedAt, Status status, String detail) {

  public enum Status {
    RUNNING,
    /** Every stage went out; the detail holds the counts. */
    COMPLETED,
    /** A canary failed: the rest were not updated, the canaries were rolled back. */
    STOPPED
  }
}
