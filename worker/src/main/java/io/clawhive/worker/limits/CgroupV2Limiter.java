package io.clawhive.worker.limits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Limits through the unified hierarchy: {@code <parent>/<instanceId>} with memory.max,
 * memory.swap.max = 0, pids.max and cpu.max. The controllers are enabled in the root's and the
 * parent's {@code cgroup.subtree_control}.
 */
final class CgroupV2Limiter implements ResourceLimiter {

  static final long CPU_PERIOD_MICROS = 100_000;
  private static final String CONTROLLERS = "+memory +pids +cpu";

  private final Path parent;

  CgroupV2Limiter(Path root, Path parent) {
    this.parent = parent;
    CgroupFiles.write(root.resolve("cgroup.subtree_control"), CONTROLLERS);
    CgroupFiles.write(parent.resolve("cgroup.subtree_control"), CONTROLLERS);
  }

  @Override
  public String mechanism() {
    return "cgroup-v2";
  }

  @Override
  public LimitGroup create(String instanceId, ResourceLimits limits) {
    Path group = parent.resolve(instanceId);
    try {
      Files.createDirectories(group);
      CgroupFiles.write(group.resolve("memory.max"), Long.toString(limits.memoryBytes()));
      Path swap = group.resolve("memory.swap.max");
      if (Files.exists(swap)) {
        CgroupFiles.write(swap, "0");
      }
      CgroupFiles.write(group.resolve("pids.max"), Integer.toString(limits.maxPids()));
      long quota = Math.round(limits.cpuCores() * CPU_PERIOD_MICROS);
      CgroupFiles.write(group.resolve("cpu.max"), quota + " " + CPU_PERIOD_MICROS);
    } catch (IOException | RuntimeException e) {
      CgroupFiles.remove(group);
      throw new LimitsException(instanceId, "cannot create cgroup v2 group " + group, e);
    }
    return new Group(instanceId, group);
  }

  private record Group(String instanceId, Path group) implements LimitGroup {

    @Override
    public List<String> wrap(List<String> command) {
      return command;
    }

    @Override
    public void attach(long pid) {
      try {
        CgroupFiles.write(group.resolve("cgroup.procs"), Long.toString(pid));
      } catch (RuntimeException e) {
        throw new LimitsException(instanceId, "cannot move pid " + pid + " into " + group, e);
      }
    }

    @Override
    public OptionalLong memoryUsageBytes() {
      OptionalLong usage = CgroupFiles.readLong(group.resolve("memory.current"));
      if (usage.isEmpty()) {
        return usage;
      }
      long inactive = CgroupFiles.readKey(group.resolve("memory.stat"), "inactive_file").orElse(0);
      return OptionalLong.of(Math.max(0, usage.getAsLong() - inactive));
    }

    @Override
    public long oomKillCount() {
      return CgroupFiles.readKey(group.resolve("memory.events"), "oom_kill").orElse(0);
    }

    @Override
    public Set<Long> pids() {
      return CgroupFiles.readPids(group.resolve("cgroup.procs"));
    }

    @Override
    public void close() {
      CgroupFiles.remove(group);
    }
  }
}
