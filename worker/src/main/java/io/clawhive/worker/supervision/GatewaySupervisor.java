package io.clawhive.worker.supervision;

import io.clawhive.core.storage.InstanceState;
import io.clawhive.worker.process.GatewayExit;
import io.clawhive.worker.process.GatewayLauncher;
import io.clawhive.worker.process.GatewayProcess;
import io.clawhive.worker.process.LaunchSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Keeps one instance's gateway running with the semantics of {@link SupervisionPolicy}. Exit is
 * seen at once through {@link GatewayProcess#onExit()}; probes run on a shared scheduler (one
 * pending task per instance, re-armed after each probe, never a thread per instance). Every event
 * carries the generation of the process it belongs to, so late events of a replaced process are
 * ignored.
 */
public final class GatewaySupervisor {

  private static final Logger LOG = LoggerFactory.getLogger(GatewaySupervisor.class);
  private static final Set<InstanceState> STOP_TARGETS =
      EnumSet.of(InstanceState.HIBERNATED, InstanceState.DELETED, InstanceState.FAILED);
  private static final Set<InstanceState> SUPERVISED =
      EnumSet.of(
          InstanceState.STARTING,
          InstanceState.RUNNING,
          InstanceState.UNHEALTHY,
          InstanceState.RESTARTING);

  private final String instanceId;
  private final LaunchSpec spec;
  private final GatewayLauncher launcher;
  private final HealthProbe probe;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final SupervisionPolicy policy;
  private final InstanceStateListener listener;
  private final RestartBackoff backoff;
  private final StartLimiter startLimiter;

  private InstanceState state = InstanceState.PROVISIONING;
  private GatewayProcess process;
  private long generation;
  private ScheduledFuture<?> pending;
  private Instant launchedAt;
  private Instant healthySince;
  private int consecutiveFailures;
  private int restartCount;
  private int startCount;
  private String failureReason;
  private CompletableFuture<Void> stopping = CompletableFuture.completedFuture(null);

  public GatewaySupervisor(
      LaunchSpec spec,
      GatewayLauncher launcher,
      HealthProbe probe,
      ScheduledExecutorService scheduler,
      Clock clock,
      SupervisionPolicy policy,
      InstanceStateListener listener) {
    this.instanceId = spec.instanceId();
    this.spec = spec;
    this.launcher = launcher;
    this.probe = probe;
    this.scheduler = scheduler;
    this.clock = clock;
    this.policy = policy;
    this.listener = listener;
    this.backoff =
        new RestartBackoff(
            policy.backoffInitial(), policy.backoffMax(), policy.backoffResetAfter(), clock);
    this.startLimiter =
        new StartLimiter(policy.startLimitBurst(), policy.startLimitInterval(), clock);
  }

  /** Starts supervising (from PROVISIONING, HIBERNATED or FAILED); no-op while supervised. */
  public synchronized void start() {
    if (SUPERVISED.contains(state)) {
      return;
    }
    if (state == InstanceState.DELETED || !stopping.isDone()) {
      throw new IllegalStateException("instance " + instanceId + " is " + state + " / stopping");
    }
    if (state == InstanceState.FAILED) {
      startLimiter.reset();
      backoff.reset();
    }
    failureReason = null;
    launch("start requested");
  }

  /** Graceful restart now (no back-off), counted against the start limit. */
  public synchronized void restart(String reason) {
    if (!SUPERVISED.contains(state)) {
      throw new IllegalStateException("instance " + instanceId + " is " + state);
    }
    restartAfter(Duration.ZERO, reason);
  }

  /**
   * Stops supervising and the process (SIGTERM, grace, SIGKILL tree); the state becomes {@code
   * target} (HIBERNATED, DELETED or FAILED) once the process is gone.
   */
  public synchronized CompletableFuture<Void> stop(InstanceState target, String reason) {
    if (!STOP_TARGETS.contains(target)) {
      throw new IllegalArgumentException("cannot stop into " + target);
    }
    cancelPending();
    generation++;
    GatewayProcess old = process;
    process = null;
    CompletableFuture<Void> done =
        old == null
            ? CompletableFuture.completedFuture(null)
            : old.stop(policy.stopGrace()).thenApply(exit -> null);
    stopping =
        done.whenComplete(
            (v, e) -> {
              synchronized (this) {
                transition(target, reason);
              }
            });
    return stopping;
  }

  public synchronized InstanceState state() {
    return state;
  }

  public synchronized int restartCount() {
    return restartCount;
  }

  public synchronized int startCount() {
    return startCount;
  }

  public synchronized int consecutiveFailures() {
    return consecutiveFailures;
  }

  public synchronized String failureReason() {
    return failureReason;
  }

  public synchronized OptionalLong pid() {
    return process == null ? OptionalLong.empty() : OptionalLong.of(process.pid());
  }

  public String instanceId() {
    return instanceId;
  }

  public int port() {
    return spec.port();
  }

  // ---- lifecycle (all called with the lock held) ----

  private void launch(String reason) {
    if (!startLimiter.tryAcquire()) {
      fail(
          "start limit hit: more than "
              + policy.startLimitBurst()
              + " starts within "
              + policy.startLimitInterval()
              + " (last: "
              + reason
              + ")");
      return;
    }
    transition(InstanceState.STARTING, reason);
    long gen = ++generation;
    launchedAt = clock.instant();
    try {
      process = launcher.launch(spec);
    } catch (RuntimeException e) {
      LOG.warn("instance {} launch failed: {}", instanceId, e.getMessage());
      restartAfter(backoff.next(null), "launch failed: " + e.getMessage());
      return;
    }
    startCount++;
    listener.onProcessStarted(instanceId, process.pid(), launchedAt);
    schedule(gen, policy.readinessPeriod(), this::readinessTick);
    // Last: a process gone already (exit within milliseconds) runs onExit right here, whose
    // restart or FAILED then replaces the readiness tick, not the other way round.
    process.onExit().whenComplete((exit, error) -> onExit(gen, exit));
  }

  private void onExit(long gen, GatewayExit exit) {
    synchronized (this) {
      if (gen != generation || exit == null) {
        return;
      }
      process = null;
      if (exit.configError()) {
        fail("gateway exited with code 78: configuration error (not retried)");
        return;
      }
      String reason = "gateway exited with code " + exit.exitCode();
      if (exit.killedByMemoryLimit()) {
        reason += " (killed at its memory limit)";
        long limit = spec.limits().memoryBytes();
        listener.onMemoryRestart(instanceId, limit, limit);
      }
      restartAfterFailure(reason);
    }
  }

  private void readinessTick(long gen) {
    if (state != InstanceState.STARTING) {
      return;
    }
    if (Duration.between(launchedAt, clock.instant()).compareTo(policy.startupTimeout()) > 0) {
      restartAfterFailure("not ready within " + policy.startupTimeout());
      return;
    }
    probe
        .probe(spec.host(), spec.port(), HealthProbe.READINESS_PATH, policy.probeTimeout())
        .thenAccept(result -> guarded(gen, InstanceState.STARTING, g -> onReadiness(g, result)));
  }

  private void onReadiness(long gen, ProbeResult result) {
    listener.onProbe(instanceId, result);
    if (!result.ok()) {
      schedule(gen, policy.readinessPeriod(), this::readinessTick);
      return;
    }
    consecutiveFailures = 0;
    healthySince = clock.instant();
    transition(InstanceState.RUNNING, "ready (/readyz 200 in " + result.latencyMillis() + " ms)");
    schedule(gen, policy.livenessPeriod(), this::livenessTick);
  }

  private void livenessTick(long gen) {
    if (state != InstanceState.RUNNING && state != InstanceState.UNHEALTHY) {
      return;
    }
    long limit = spec.limits().memoryBytes();
    OptionalLong used = process == null ? OptionalLong.empty() : process.memoryUsageBytes();
    if (used.isPresent() && used.getAsLong() > policy.memoryRestartFraction() * limit) {
      listener.onMemoryRestart(instanceId, used.getAsLong(), limit);
      restartAfter(
          Duration.ZERO,
          "memory "
              + used.getAsLong()
              + " bytes over "
              + policy.memoryRestartFraction()
              + " of limit "
              + limit);
      return;
    }
    probe
        .probe(spec.host(), spec.port(), HealthProbe.LIVENESS_PATH, policy.probeTimeout())
        .thenAccept(result -> guarded(gen, null, g -> onLiveness(g, result)));
  }

  private void onLiveness(long gen, ProbeResult result) {
    listener.onProbe(instanceId, result);
    if (result.ok()) {
      consecutiveFailures = 0;
      if (state == InstanceState.UNHEALTHY) {
        healthySince = clock.instant();
        transition(InstanceState.RUNNING, "live again");
      }
    } else {
      consecutiveFailures++;
      String detail = "liveness failed " + consecutiveFailures + "x: " + result.detail();
      if (consecutiveFailures >= policy.unhealthyThreshold() && state == InstanceState.RUNNING) {
        transition(InstanceState.UNHEALTHY, detail);
      }
      if (consecutiveFailures >= policy.restartThreshold()) {
        restartAfterFailure(detail);
        return;
      }
    }
    schedule(gen, policy.livenessPeriod(), this::livenessTick);
  }

  private void restartAfterFailure(String reason) {
    Duration delay = backoff.next(healthySince);
    failureReason = reason;
    restartAfter(delay, reason);
  }

  /** RESTARTING: stop the current process (if any), wait {@code delay}, launch again. */
  private void restartAfter(Duration delay, String reason) {
    cancelPending();
    healthySince = null;
    restartCount++;
    transition(InstanceState.RESTARTING, reason + "; next start in " + delay.toMillis() + " ms");
    long gen = ++generation;
    GatewayProcess old = process;
    process = null;
    CompletableFuture<?> gone =
        old == null ? CompletableFuture.completedFuture(null) : old.stop(policy.stopGrace());
    gone.whenComplete(
        (x, e) -> {
          synchronized (this) {
            if (gen == generation) {
              schedule(gen, delay, g -> relaunch(delay));
            }
          }
        });
  }

  private void relaunch(Duration delay) {
    if (state == InstanceState.RESTARTING) {
      launch("restart after " + delay.toMillis() + " ms");
    }
  }

  private void fail(String reason) {
    cancelPending();
    generation++;
    failureReason = reason;
    if (process != null) {
      process.stop(policy.stopGrace());
      process = null;
    }
    LOG.error(
        "instance {} FAILED: {}; needs an operator (start it again once fixed)",
        instanceId,
        reason);
    transition(InstanceState.FAILED, reason);
  }

  // ---- plumbing ----

  private void schedule(long gen, Duration delay, LongConsumer tick) {
    cancelPending();
    pending =
        scheduler.schedule(() -> guarded(gen, null, tick), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs {@code body} under the lock if {@code gen} is current (and state matches, if given). */
  private void guarded(long gen, InstanceState required, LongConsumer body) {
    MDC.put("instance", instanceId);
    try {
      synchronized (this) {
        if (gen != generation || (required != null && state != required)) {
          return;
        }
        body.accept(gen);
      }
    } catch (Throwable t) {
      LOG.error("supervisor of instance {} failed a step; it continues", instanceId, t);
    } finally {
      MDC.remove("instance");
    }
  }

  private void cancelPending() {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
  }

  private void transition(InstanceState to, String reason) {
    InstanceState from = state;
    if (from == to) {
      return;
    }
    state = to;
    LOG.info("instance {}: {} -> {} ({})", instanceId, from, to, reason);
    listener.onStateChange(instanceId, from, to, reason);
  }
}
