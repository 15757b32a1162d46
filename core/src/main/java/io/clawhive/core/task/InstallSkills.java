package io.clawhive.core.task;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Install ClawHub skills (by slug) into an instance. */
public record InstallSkills(
    UUID taskId,
    int attempt,
    Instant enqueuedAt,
    Long tenant,
    String instanceId,
    List<String> slugs)
    implements Task {

  public static final String TYPE = "install_skills";

  public InstallSkills {
    TaskChecks.common(taskId, attempt, enqueuedAt);
    TaskChecks.requiredText(instanceId, "instanceId");
    slugs = TaskChecks.slugs(slugs);
  }

  /** A first attempt with a fresh task id. */
  public static InstallSkills of(Long tenant, String instanceId, List<String> slugs, Instant now) {
    return new InstallSkills(UUID.randomUUID(), FIRST_ATTEMPT, now, tenant, instanceId, slugs);
  }

  @Override
  public InstallSkills withAttempt(int attempt) {
    return new InstallSkills(taskId, attempt, enqueuedAt, tenant, instanceId, slugs);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
