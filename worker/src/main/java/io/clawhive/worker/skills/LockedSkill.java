package io.clawhive.worker.skills;

import java.time.Instant;
import java.util.Optional;

/**
 * One skill as the instance's ClawHub files record it: the version in {@code .clawhub/lock.json},
 * when it was first installed, and the source hash ({@code fingerprint} of the skill's {@code
 * .clawhub/origin.json}, what clawhub compares against to notice local edits).
 */
public record LockedSkill(
    String slug, String version, Optional<Instant> installedAt, Optional<String> sourceHash) {}
