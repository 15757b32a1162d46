package io.clawhive.core.storage;

/**
 * A worker node's availability: its own view, or DEAD as the cluster declared it. Stored by name.
 */
public enum WorkerStatus {
  UP,
  DRAINING,
  DOWN,
  /**
   * Declared dead by the cluster (heartbeat older than the failover timeout): its epoch was bumped,
   * its tenants moved. Only the worker itself, registering again, turns it UP.
   */
  DEAD
}
