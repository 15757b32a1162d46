package io.clawhive.worker.process;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Signals to a process and all its descendants (snapshotted before the parent dies). */
final class ProcessTree {

  private ProcessTree() {}

  /** The root and its descendants, children first so no one is re-parented unseen. */
  static List<ProcessHandle> snapshot(ProcessHandle root) {
    List<ProcessHandle> all = new ArrayList<>(root.descendants().toList());
    all.add(root);
    return all;
  }

  /** The sandbox wrapper's executable name (bubblewrap). */
  static final String SANDBOX_WRAPPER = "bwrap";

  /**
   * SIGTERM to every live member except sandbox wrappers: bubblewrap does not forward SIGTERM, and
   * its death would SIGKILL the sandboxed gateway at once (--die-with-parent); it exits by itself
   * with the gateway's exit code once the gateway has shut down cleanly.
   */
  static void terminate(Collection<ProcessHandle> processes) {
    processes.stream()
        .filter(ProcessHandle::isAlive)
        .filter(p -> !isSandboxWrapper(p))
        .forEach(ProcessHandle::destroy);
  }

  static boolean isSandboxWrapper(ProcessHandle process) {
    return process
        .info()
        .command()
        .map(c -> c.equals(SANDBOX_WRAPPER) || c.endsWith("/" + SANDBOX_WRAPPER))
        .orElse(false);
  }

  /** SIGKILL to every live member. */
  static void kill(Collection<ProcessHandle> processes) {
    processes.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
