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

  /** SIGTERM to every live member. */
  static void terminate(Collection<ProcessHandle> processes) {
    processes.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroy);
  }

  /** SIGKILL to every live member. */
  static void kill(Collection<ProcessHandle> processes) {
    processes.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }
}
