package io.clawhive.worker.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At worker start, finds gateways left running by a crashed worker through their pid files and
 * stops them (SIGTERM to the tree, SIGKILL after the grace). Such a gateway has lost its log pump
 * and supervisor, so it is cleaned rather than adopted; reconciliation then starts the instances
 * whose desired state is RUNNING. A pid whose process start time differs from the recorded one
 * belongs to someone else now and is left alone.
 */
public final class LeftoverReaper {

  private static final Logger LOG = LoggerFactory.getLogger(LeftoverReaper.class);

  private final Duration grace;

  public LeftoverReaper(Duration grace) {
    this.grace = grace;
  }

  /** Stops the live processes named by the pid files and deletes the files; returns those. */
  public List<PidFile> reap(List<Path> pidFiles) {
    List<PidFile> reaped = new ArrayList<>();
    for (Path file : pidFiles) {
      Optional<PidFile> record = PidFile.read(file);
      Optional<ProcessHandle> live = record.flatMap(PidFile::liveProcess);
      if (live.isPresent()) {
        LOG.warn("leftover gateway pid {} from {}: stopping it", record.get().pid(), file);
        stopTree(live.get());
        reaped.add(record.get());
      }
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.warn("cannot delete pid file {}: {}", file, e.toString());
      }
    }
    return reaped;
  }

  private void stopTree(ProcessHandle root) {
    List<ProcessHandle> tree = ProcessTree.snapshot(root);
    ProcessTree.terminate(tree);
    try {
      root.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      LOG.warn("leftover pid {} ignored SIGTERM for {}: SIGKILL", root.pid(), grace);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ProcessTree.kill(tree);
  }
}
