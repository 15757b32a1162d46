package io.clawhive.core.storage;

import java.time.Instant;

/**
 * One row of {@code skill_versions}: a skill as the instance's ClawHub lock recorded it after the
 * last install or update, and that operation's outcome ({@code fromVersion → toVersion} when it
 * changed the version).
 */
public record SkillVersion(
    String instanceId,
    String slug,
    String version,
    String sourceHash,
    Instant installedAt,
    Instant updatedAt,
    SkillOutcome lastOutcome,
    String fromVersion,
    String toVersion,
    String detail) {}
