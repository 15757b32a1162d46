package io.clawhive.core.storage;

/** A worker node's own view of its availability. Stored by name. */
public enum WorkerStatus {
  UP,
  DRAINING,
  DOWN
}
