package io.clawhive.worker.supervision;

/** Actual states of an instance; names match the {@code instances.actual_state} column. */
public enum InstanceState {
  PROVISIONING,
  STARTING,
  RUNNING,
  UNHEALTHY,
  RESTARTING,
  HIBERNATED,
  FAILED,
  DELETED
}
