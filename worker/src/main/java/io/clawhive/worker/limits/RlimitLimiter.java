package io.clawhive.worker.limits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Fallback without cgroups: {@code prlimit --data=<memory> --nproc=<pids> --} in front of the
 * command. RLIMIT_DATA caps the private writable memory of each process (not the tree), and
 * RLIMIT_NPROC counts per user, so it only means "per instance" with one system user per instance.
 * No CPU limit. Memory use is the summed RSS of the process tree.
 */
final class RlimitLimiter implements ResourceLimiter {

  static final String PRLIMIT = "prlimit";

  @Override
  public String mechanism() {
    return "rlimit";
  }

  @Override
  public LimitGroup create(String instanceId, ResourceLimits limits) {
    return new Group(limits);
  }

  private static final class Group implements LimitGroup {
    private final ResourceLimits limits;
    private volatile long pid = -1;

    Group(ResourceLimits limits) {
      this.limits = limits;
    }

    @Override
    public List<String> wrap(List<String> command) {
      List<String> wrapped = new ArrayList<>();
      wrapped.add(PRLIMIT);
      wrapped.add("--data=" + limits.memoryBytes());
      wrapped.add("--nproc=" + limits.maxPids());
      wrapped.add("--");
      wrapped.addAll(command);
      return wrapped;
    }

    @Override
    public void attach(long pid) {
      this.pid = pid;
    }

    @Override
    public OptionalLong memoryUsageBytes() {
      return ProcessHandle.of(pid)
          .map(
              root -> {
                long total = rssBytes(root.pid());
                for (ProcessHandle child : root.descendants().toList()) {
                  total += rssBytes(child.pid());
                }
                return OptionalLong.of(total);
              })
          .orElse(OptionalLong.empty());
    }

    @Override
    public long oomKillCount() {
      return 0;
    }

    @Override
    public Set<Long> pids() {
      return Set.of();
    }

    @Override
    public void close() {}

    private static long rssBytes(long pid) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
          if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024L;
          }
        }
      } catch (IOException | NumberFormatException e) {
        return 0;
      }
      return 0;
    }
  }
}
