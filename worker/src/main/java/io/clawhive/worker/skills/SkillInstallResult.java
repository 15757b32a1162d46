package io.clawhive.worker.skills;

import java.util.Optional;

/** Outcome of installing one skill into one workspace. */
public record SkillInstallResult(
    String slug, Status status, Optional<String> version, String detail) {

  public enum Status {
    /** Installed by this call. */
    INSTALLED,
    /** Was already in the workspace; left as it was. */
    ALREADY_INSTALLED,
    /** Not installed; {@code detail} holds clawhub's message. Recorded, not fatal. */
    FAILED,
    /** Not on the skill allowlist: never handed to clawhub; {@code detail} says so. */
    REFUSED
  }

  public boolean installed() {
    return status == Status.INSTALLED || status == Status.ALREADY_INSTALLED;
  }
}
