package io.clawhive.worker.fleet;

import io.clawhive.core.storage.InstanceState;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.supervision.GatewaySupervisor;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * One instance of this worker as the fleet holds it: what it was provisioned with, its supervisor
 * (created on first start), and its last known state, which {@link #awaitState} waits on. Lifecycle
 * changes (start, stop) are made while holding the member's monitor.
 */
final class Member {

  static final Set<InstanceState> LIVE =
      EnumSet.of(
          InstanceState.PROVISIONING,
          InstanceState.STARTING,
          InstanceState.RUNNING,
          InstanceState.UNHEALTHY,
          InstanceState.RESTARTING);

  final String id;
  final int port;
  final String token;
  final InstanceLayout layout;
  final Optional<SystemUser> user;
  private final Object stateMonitor = new Object();
  private volatile Long tenantId;
  private volatile InstanceState state;

  /** Guarded by {@code this}. */
  GatewaySupervisor supervisor;

  /** Guarded by {@code this}: completes when the last stop finished. */
  CompletableFuture<Void> stopping = CompletableFuture.completedFuture(null);

  /** Set while the fleet asks for a restart, so the listener does not count it as a failure. */
  volatile boolean requestedRestart;

  /** Guarded by the fleet's {@link Seating}: messages of the tenant being handled right now. */
  int leases;

  /** Guarded by {@link Seating}: kept from eviction until then (admitted from the waiting line). */
  Instant reservedUntil;

  /** Guarded by {@link Seating}: being hibernated (or deleted) to make room. */
  boolean evicting;

  /** Guarded by {@link Seating}: when a message of the tenant last began or ended here. */
  Instant lastUsed = Instant.EPOCH;

  Member(
      String id,
      Long tenantId,
      int port,
      String token,
      InstanceLayout layout,
      Optional<SystemUser> user,
      InstanceState state) {
    this.id = id;
    this.tenantId = tenantId;
    this.port = port;
    this.token = token;
    this.layout = layout;
    this.user = user;
    this.state = state;
  }

  Long tenantId() {
    return tenantId;
  }

  void assignTo(long tenant) {
    this.tenantId = tenant;
  }

  boolean pooled() {
    return tenantId == null;
  }

  InstanceState state() {
    return state;
  }

  boolean live() {
    return LIVE.contains(state);
  }

  void changed(InstanceState next) {
    synchronized (stateMonitor) {
      state = next;
      stateMonitor.notifyAll();
    }
  }

  /**
   * Waits until the state is RUNNING (true), or FAILED/HIBERNATED/DELETED, or the wait is over
   * (false).
   */
  boolean awaitRunning(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    synchronized (stateMonitor) {
      while (true) {
        if (state == InstanceState.RUNNING) {
          return true;
        }
        if (!LIVE.contains(state)) {
          return false;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        stateMonitor.wait(Math.max(1, left / 1_000_000));
      }
    }
  }

  @Override
  public String toString() {
    return "instance " + id + " (tenant " + tenantId + ", port " + port + ", " + state + ")";
  }
}
