package io.clawhive.core.storage;

/** The outcome of the last install or update of one skill in one instance. */
public enum SkillOutcome {
  /** Installed (new instance or install task). */
  INSTALLED,
  /** Updated from one version to another. */
  UPDATED,
  /** Already at the newest (or pinned) version. */
  UP_TO_DATE,
  /** Left alone because its files were edited locally (clawhub: "local changes"). */
  SKIPPED_LOCAL_EDITS,
  /** The install or update failed; the detail says why. */
  FAILED,
  /** Not on the skill allowlist: not installed, not updated. */
  REFUSED,
  /** Removed because its version is on the denylist. */
  REMOVED,
  /** Put back to the version it had before a failed canary stage. */
  ROLLED_BACK
}
