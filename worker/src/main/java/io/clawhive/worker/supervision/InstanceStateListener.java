package io.clawhive.worker.supervision;

import io.clawhive.core.storage.InstanceState;
import java.time.Instant;

/**
 * Receives what a {@link GatewaySupervisor} observes, so it can be persisted and told to the user.
 * Called in order, under the supervisor's lock: implementations must be quick and must not call
 * back into the supervisor.
 */
public interface InstanceStateListener {

  void onStateChange(String instanceId, InstanceState from, InstanceState to, String reason);

  /** A gateway process was started (for {@code instances.pid}, {@code last_started_at}). */
  default void onProcessStarted(String instanceId, long pid, Instant startedAt) {}

  /** Result of one readiness or liveness probe (for {@code health_results}). */
  default void onProbe(String instanceId, ProbeResult result) {}

  /**
   * The instance is being restarted because of memory: over the restart threshold (graceful) or
   * killed by the kernel at its limit ({@code usedBytes == limitBytes}). Called once per event, so
   * the user can be told once.
   */
  default void onMemoryRestart(String instanceId, long usedBytes, long limitBytes) {}
}
