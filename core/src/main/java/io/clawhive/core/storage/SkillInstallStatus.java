package io.clawhive.core.storage;

/** Outcome of installing one skill into an instance. Stored by name. */
public enum SkillInstallStatus {
  INSTALLED,
  FAILED
}
