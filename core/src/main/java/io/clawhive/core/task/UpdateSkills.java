package io.clawhive.core.task;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Update an instance's ClawHub skills; an empty slug list means all installed skills. When part of
 * a staged rollout, {@code rolloutId} and {@code stage} (CANARY, REST or ROLLBACK) say where the
 * worker reports its result; ROLLBACK puts back the versions the instance had before its CANARY
 * stage. Both absent: a plain update (an older message without them decodes as one).
 */
public record UpdateSkills(
    UUID taskId,
    int attempt,
    Instant enqueuedAt,
    Long tenant,
    String instanceId,
    List<String> slugs,
    Long rolloutId,
    String stage)
    implements Task {

  public static final String TYPE = "update_skills";
  public static final Set<String> STAGES = Set.of("CANARY", "REST", "ROLLBACK");

  public UpdateSkills {
    TaskChecks.common(taskId, attempt, enqueuedAt);
    TaskChecks.requiredText(instanceId, "instanceId");
    slugs = TaskChecks.slugs(slugs == null ? List.of() : slugs);
    if ((rolloutId == null) != (stage == null)) {
      throw new IllegalArgumentException("rolloutId and stage go together");
    }
    if (stage != null && !STAGES.contains(stage)) {
      throw new IllegalArgumentException("stage must be one of " + STAGES + " but was " + stage);
    }
  }

  /** A first attempt with a fresh task id, outside any rollout. */
  public static UpdateSkills of(Long tenant, String instanceId, List<String> slugs, Instant now) {
    return new UpdateSkills(
        UUID.randomUUID(), FIRST_ATTEMPT, now, tenant, instanceId, slugs, null, null);
  }

  /** A first attempt of one stage of rollout {@code rolloutId}, for all unpinned skills. */
  public static UpdateSkills inRollout(
      Long tenant, String instanceId, long rolloutId, String stage, Instant now) {
    return new UpdateSkills(
        UUID.randomUUID(), FIRST_ATTEMPT, now, tenant, instanceId, List.of(), rolloutId, stage);
  }

  @Override
  public UpdateSkills withAttempt(int attempt) {
    return new UpdateSkills(
        taskId, attempt, enqueuedAt, tenant, instanceId, slugs, rolloutId, stage);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
