package io.clawhive.worker.limits;

import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/** The resource limits of one running instance (a cgroup, or rlimits on the process). */
public interface LimitGroup extends AutoCloseable {

  /** The command to run, with any prefix the mechanism needs (e.g. {@code prlimit}). */
  List<String> wrap(List<String> command);

  /** Moves a freshly started process (and any children it already has) under the limits. */
  void attach(long pid);

  /** Working-set memory of the instance (usage minus inactive page cache), if measurable. */
  OptionalLong memoryUsageBytes();

  /** How many times the kernel killed a process of this group for exceeding its memory. */
  long oomKillCount();

  /** Pids currently in the group (empty where the mechanism cannot tell). */
  Set<Long> pids();

  /** Releases the group (removes the cgroup); call after the processes are gone. */
  @Override
  void close();
}
