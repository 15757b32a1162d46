package io.clawhive.worker.limits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/** Limits through cgroup v1: one group per instance in the memory, pids and cpu hierarchies. */
final class CgroupV1Limiter implements ResourceLimiter {

  static final long CFS_PERIOD_MICROS = 100_000;

  private final Map<String, Path> parents;

  CgroupV1Limiter(Map<String, Path> parents) {
    this.parents = Map.copyOf(parents);
  }

  @Override
  public String mechanism() {
    return "cgroup-v1";
  }

  @Override
  public LimitGroup create(String instanceId, ResourceLimits limits) {
    Map<String, Path> groups = new HashMap<>();
    try {
      for (Map.Entry<String, Path> e : parents.entrySet()) {
        Path group = e.getValue().resolve(instanceId);
        Files.createDirectories(group);
        groups.put(e.getKey(), group);
      }
      Path memory = groups.get("memory");
      CgroupFiles.write(
          memory.resolve("memory.limit_in_bytes"), Long.toString(limits.memoryBytes()));
      Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
      if (Files.exists(memsw)) {
        CgroupFiles.write(memsw, Long.toString(limits.memoryBytes()));
      }
      CgroupFiles.write(groups.get("pids").resolve("pids.max"), Integer.toString(limits.maxPids()));
      Path cpu = groups.get("cpu");
      CgroupFiles.write(cpu.resolve("cpu.cfs_period_us"), Long.toString(CFS_PERIOD_MICROS));
      CgroupFiles.write(
          cpu.resolve("cpu.cfs_quota_us"),
          Long.toString(Math.round(limits.cpuCores() * CFS_PERIOD_MICROS)));
    } catch (IOException | RuntimeException e) {
      groups.values().forEach(CgroupFiles::remove);
      throw new LimitsException(instanceId, "cannot create cgroup v1 groups", e);
    }
    return new Group(instanceId, groups);
  }

  private static final class Group implements LimitGroup {
    private final String instanceId;
    private final Map<String, Path> groups;

    Group(String instanceId, Map<String, Path> groups) {
      this.instanceId = instanceId;
      this.groups = groups;
    }

    @Override
    public List<String> wrap(List<String> command) {
      return command;
    }

    @Override
    public void attach(long pid) {
      try {
        for (Path group : groups.values()) {
          CgroupFiles.write(group.resolve("cgroup.procs"), Long.toString(pid));
        }
      } catch (RuntimeException e) {
        throw new LimitsException(instanceId, "cannot move pid " + pid + " into its cgroups", e);
      }
    }

    @Override
    public OptionalLong memoryUsageBytes() {
      Path memory = groups.get("memory");
      OptionalLong usage = CgroupFiles.readLong(memory.resolve("memory.usage_in_bytes"));
      if (usage.isEmpty()) {
        return usage;
      }
      long inactive =
          CgroupFiles.readKey(memory.resolve("memory.stat"), "total_inactive_file").orElse(0);
      return OptionalLong.of(Math.max(0, usage.getAsLong() - inactive));
    }

    @Override
    public long oomKillCount() {
      return CgroupFiles.readKey(groups.get("memory").resolve("memory.oom_control"), "oom_kill")
          .orElse(0);
    }

    @Override
    public Set<Long> pids() {
      return CgroupFiles.readPids(groups.get("memory").resolve("cgroup.procs"));
    }

    @Override
    public void close() {
      groups.values().forEach(CgroupFiles::remove);
    }

    @Override
    public String toString() {
      return "cgroup-v1 " + groups.get("memory");
    }
  }
}
