package io.clawhive.core.storage;

import java.time.Instant;

/**
 * One row of {@code skill_rollout_reports}: one instance in one stage of a rollout. The scheduler
 * inserts it as SENT (or NOT_REACHED when the instance's worker is gone); the worker fills in the
 * counts and marks it DONE. {@code previousVersions} is the instance's lock before the update, as
 * {@code slug=version} lines, so that a failed canary can be rolled back.
 */
public record SkillRolloutReport(
    long rolloutId,
    String instanceId,
    Stage stage,
    String workerNode,
    Status status,
    int updated,
    int upToDate,
    int skipped,
    int failed,
    String previousVersions,
    String detail,
    Instant sentAt,
    Instant reportedAt) {

  public enum Stage {
    CANARY,
    REST,
    ROLLBACK
  }

  public enum Status {
    SENT,
    DONE,
    NOT_REACHED
  }
}
