package io.clawhive.core.storage;

/** Desired or actual state of an instance (DESIGN.md, Instances). Stored by name. */
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
