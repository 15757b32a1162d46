package io.clawhive.core.storage;

import java.time.Instant;

/** One row of {@code skill_installs}: the last install outcome of one skill in one instance. */
public record SkillInstall(
    long id,
    String instanceId,
    String slug,
    String version,
    SkillInstallStatus status,
    String detail,
    Instant installedAt) {}
