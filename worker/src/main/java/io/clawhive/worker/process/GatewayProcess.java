package io.clawhive.worker.process;

import io.clawhive.worker.limits.LimitGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running gateway. Its exit is observed through {@link Process#onExit()} (which also reaps it);
 * on exit everything left in its cgroup is killed, the group removed and the pid file deleted (like
 * systemd's KillMode=control-group), and only then {@link #onExit()} completes.
 */
public final class GatewayProcess {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayProcess.class);

  private final String instanceId;
  private final int port;
  private final Process process;
  private final LimitGroup limits;
  private final Path pidFile;
  private final Instant startedAt;
  private final long oomBaseline;
  private final List<ProcessHandle> stopSnapshot = new ArrayList<>();
  private final CompletableFuture<GatewayExit> exit;
  private CompletableFuture<GatewayExit> stopping;

  GatewayProcess(
      String instanceId,
      int port,
      Process process,
      LimitGroup limits,
      Path pidFile,
      Instant startedAt,
      Executor cleanupExecutor) {
    this.instanceId = instanceId;
    this.port = port;
    this.process = process;
    this.limits = limits;
    this.pidFile = pidFile;
    this.startedAt = startedAt;
    this.oomBaseline = limits.oomKillCount();
    this.exit = process.onExit().thenApplyAsync(p -> cleanUp(p.exitValue()), cleanupExecutor);
  }

  public String instanceId() {
    return instanceId;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public Instant startedAt() {
    return startedAt;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Completes once the process has exited and its group is cleaned up. For a process that is gone
   * already (one that exits within milliseconds, e.g. exit 78) it may be complete at once, so a
   * dependent attached then runs on the attaching thread.
   */
  public CompletableFuture<GatewayExit> onExit() {
    return exit;
  }

  public OptionalLong memoryUsageBytes() {
    return limits.memoryUsageBytes();
  }

  /**
   * SIGTERM to the process and its descendants, then after {@code grace} SIGKILL to whatever of the
   * tree (and its cgroup) is left. Idempotent; completes when everything is gone.
   */
  public synchronized CompletableFuture<GatewayExit> stop(Duration grace) {
    if (stopping != null) {
      return stopping;
    }
    List<ProcessHandle> tree = ProcessTree.snapshot(process.toHandle());
    synchronized (stopSnapshot) {
      stopSnapshot.addAll(tree);
    }
    ProcessTree.terminate(tree);
    process
        .onExit()
        .orTimeout(grace.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (p, timeout) -> {
              if (timeout != null) {
                LOG.warn(
                    "instance {} pid {} still running {} after SIGTERM: sending SIGKILL",
                    instanceId,
                    pid(),
                    grace);
                killEverything();
              }
            });
    stopping = exit;
    return stopping;
  }

  /** SIGKILL to the whole tree at once (no grace). */
  public void kill() {
    synchronized (stopSnapshot) {
      stopSnapshot.addAll(ProcessTree.snapshot(process.toHandle()));
    }
    killEverything();
  }

  private void killEverything() {
    List<ProcessHandle> all = new ArrayList<>(ProcessTree.snapshot(process.toHandle()));
    synchronized (stopSnapshot) {
      all.addAll(stopSnapshot);
    }
    for (long pid : limits.pids()) {
      ProcessHandle.of(pid).ifPresent(all::add);
    }
    ProcessTree.kill(all);
  }

  private GatewayExit cleanUp(int exitCode) {
    boolean oom = limits.oomKillCount() > oomBaseline;
    killEverything();
    limits.close();
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      LOG.warn("cannot delete pid file {}: {}", pidFile, e.toString());
    }
    LOG.info("instance {} gateway pid {} exited with {}", instanceId, pid(), exitCode);
    return new GatewayExit(exitCode, oom);
  }
}
