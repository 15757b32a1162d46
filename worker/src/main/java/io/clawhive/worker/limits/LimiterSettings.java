package io.clawhive.worker.limits;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where per-instance cgroups go. v1 groups are created below the worker's own cgroup of each
 * hierarchy ({@code <mount>/<own path>/<groupName>/<instanceId>}), v2 groups below {@code
 * <cgroupRoot>/<groupName>} (a delegated subtree, since v2 forbids processes in inner nodes).
 */
public record LimiterSettings(Path cgroupRoot, String groupName, boolean allowCgroups) {

  public static final Path DEFAULT_CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  public static final String DEFAULT_GROUP_NAME = "clawhive";

  public LimiterSettings {
    Objects.requireNonNull(cgroupRoot, "cgroupRoot");
    if (groupName == null || !groupName.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException("groupName must match [A-Za-z0-9_.-]{1,64}: " + groupName);
    }
  }

  public static LimiterSettings defaults() {
    return new LimiterSettings(DEFAULT_CGROUP_ROOT, DEFAULT_GROUP_NAME, true);
  }

  public LimiterSettings withGroupName(String name) {
    return new LimiterSettings(cgroupRoot, name, allowCgroups);
  }

  /** Forces the rlimit fallback (hosts without writable cgroups, and its tests). */
  public LimiterSettings withoutCgroups() {
    return new LimiterSettings(cgroupRoot, groupName, false);
  }
}
