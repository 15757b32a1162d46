package io.clawhive.core.storage;

/** Outcome of one scheduled job run. Stored by name. */
public enum JobRunStatus {
  RUNNING,
  SUCCEEDED,
  FAILED
}
