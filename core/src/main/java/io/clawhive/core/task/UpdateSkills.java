package io.clawhive.core.task;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Update an instance's ClawHub skills; an empty slug list means all installed skills. */
public record UpdateSkills(
    UUID taskId,
    int attempt,
    Instant enqueuedAt,
    Long tenant,
    String instanceId,
    List<String> slugs)
    implements Task {

  public static final String TYPE = "update_skills";

  public UpdateSkills {
    TaskChecks.common(taskId, attempt, enqueuedAt);
    TaskChecks.requiredText(instanceId, "instanceId");
    slugs = TaskChecks.slugs(slugs);
  }

  /** A first attempt with a fresh task id. */
  public static UpdateSkills of(Long tenant, String instanceId, List<String> slugs, Instant now) {
    return new UpdateSkills(UUID.randomUUID(), FIRST_ATTEMPT, now, tenant, instanceId, slugs);
  }

  @Override
  public UpdateSkills withAttempt(int attempt) {
    return new UpdateSkills(taskId, attempt, enqueuedAt, tenant, instanceId, slugs);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
