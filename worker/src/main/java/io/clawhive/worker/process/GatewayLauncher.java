package io.clawhive.worker.process;

import io.clawhive.worker.limits.LimitGroup;
import io.clawhive.worker.limits.ResourceLimiter;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts gateway processes: allowlisted environment only (the worker's own environment is cleared),
 * privileges dropped to the instance's user, resource limits attached right after start, merged
 * stdout/stderr pumped into a rotating per-instance log, pid file written.
 */
public final class GatewayLauncher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayLauncher.class);
  private static final File DEV_NULL = new File("/dev/null");
  private static final int MAX_ATTACH_ROUNDS = 10;

  /**
   * When setting up a fresh process fails, how long to wait for it to turn out exited (the JVM
   * reaps a child that exited within milliseconds a moment later) before calling it a launch
   * failure.
   */
  static final long EXIT_DURING_SET_UP_WAIT_MILLIS = 1_000;

  private final LauncherSettings settings;
  private final ResourceLimiter limiter;
  private final Clock clock;
  private final ExecutorService cleanupExecutor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "gateway-exit");
            t.setDaemon(true);
            return t;
          });

  public GatewayLauncher(LauncherSettings settings, ResourceLimiter limiter, Clock clock) {
    this.settings = settings;
    this.limiter = limiter;
    this.clock = clock;
    LOG.info(
        "gateway launcher: limits via {}, log cap {} bytes x {} files",
        limiter.mechanism(),
        settings.logMaxBytes(),
        settings.logKeepFiles() + 1);
  }

  public ResourceLimiter limiter() {
    return limiter;
  }

  public GatewayProcess launch(LaunchSpec spec) {
    String id = spec.instanceId();
    LimitGroup group = limiter.create(id, spec.limits());
    RotatingLogWriter log;
    try {
      log = new RotatingLogWriter(spec.logFile(), settings.logMaxBytes(), settings.logKeepFiles());
    } catch (IOException e) {
      group.close();
      throw new GatewayLaunchException(id, "cannot open log " + spec.logFile(), e);
    }
    List<String> command = new ArrayList<>(spec.entry());
    spec.user().ifPresent(u -> command.addAll(u.dropPrivilegesPrefix()));
    command.addAll(group.wrap(spec.command()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(spec.workingDir().toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
    builder.environment().clear();
    builder.environment().putAll(spec.environment());
    Instant startedAt = clock.instant();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      closeQuietly(log);
      group.close();
      throw new GatewayLaunchException(id, "cannot start " + command.get(0), e);
    }
    String marker = "--- clawhive: started pid " + process.pid() + " at " + startedAt + "\n";
    try {
      byte[] bytes = marker.getBytes(StandardCharsets.UTF_8);
      log.write(bytes, 0, bytes.length);
      group.attach(process.pid());
      attachEarlyChildren(group, process.toHandle());
      PidFile.write(spec.pidFile(), process.toHandle());
    } catch (IOException | RuntimeException e) {
      if (!exitedDuringSetUp(process)) {
        process.destroyForcibly();
        closeQuietly(log);
        group.close();
        throw new GatewayLaunchException(id, "cannot set up pid " + process.pid(), e);
      }
      // A program that exits within milliseconds (exit 78 on a bad config) is gone before its
      // limits could be attached: that is no launch failure, its exit code decides what follows.
      LOG.info(
          "instance {} gateway pid {} exited during start-up (exit {}): not set up further",
          id,
          process.pid(),
          process.exitValue());
    }
    LogPump.start(id, process.getInputStream(), log);
    if (process.isAlive()) {
      LOG.info(
          "instance {} gateway started: pid {} at {}:{} user {}",
          id,
          process.pid(),
          spec.host(),
          spec.port(),
          spec.user().map(u -> u.name()).orElse("(worker)"));
    }
    return new GatewayProcess(
        id, spec.port(), process, group, spec.pidFile(), startedAt, cleanupExecutor);
  }

  /**
   * Moves children that the process forked before it was attached (e.g. bubblewrap's namespace init
   * and the gateway under it) into the group too, until no new one shows up; one that exits
   * meanwhile is skipped.
   */
  static void attachEarlyChildren(LimitGroup group, ProcessHandle root) {
    Set<Long> moved = new HashSet<>();
    for (int round = 0; round < MAX_ATTACH_ROUNDS; round++) {
      List<ProcessHandle> fresh = root.descendants().filter(p -> moved.add(p.pid())).toList();
      if (fresh.isEmpty()) {
        return;
      }
      for (ProcessHandle child : fresh) {
        try {
          group.attach(child.pid());
        } catch (RuntimeException e) {
          if (child.isAlive()) {
            throw e;
          }
        }
      }
    }
  }

  private static boolean exitedDuringSetUp(Process process) {
    try {
      return process.waitFor(EXIT_DURING_SET_UP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    cleanupExecutor.shutdown();
  }

  private static void closeQuietly(RotatingLogWriter log) {
    try {
      log.close();
    } catch (IOException e) {
      LOG.debug("closing log: {}", e.toString());
    }
  }
}
