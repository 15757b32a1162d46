package io.clawhive.worker.limits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Picks the limit mechanism the host offers: cgroup v2, cgroup v1, or rlimits. */
final class LimiterDetector {

  private static final Logger LOG = LoggerFactory.getLogger(LimiterDetector.class);
  static final List<String> V1_CONTROLLERS = List.of("memory", "pids", "cpu");
  private static final Path PROC_MOUNTS = Path.of("/proc/self/mounts");
  private static final Path PROC_CGROUP = Path.of("/proc/self/cgroup");

  private LimiterDetector() {}

  static ResourceLimiter detect(LimiterSettings settings) {
    if (settings.allowCgroups()) {
      Optional<ResourceLimiter> cgroups = cgroupV2(settings).or(() -> cgroupV1(settings));
      if (cgroups.isPresent()) {
        LOG.info("resource limits via {}", cgroups.get().mechanism());
        return cgroups.get();
      }
    }
    LOG.warn(
        "no writable cgroup hierarchy (v2 or v1 memory/pids/cpu) under {}: instances get"
            + " rlimits only (data segment and process count; no CPU limit, memory not measured"
            + " by the kernel per instance)",
        settings.cgroupRoot());
    return new RlimitLimiter();
  }

  private static Optional<ResourceLimiter> cgroupV2(LimiterSettings settings) {
    Path controllers = settings.cgroupRoot().resolve("cgroup.controllers");
    try {
      if (!Files.isRegularFile(controllers) || !Files.readString(controllers).contains("memory")) {
        return Optional.empty();
      }
      Path parent = settings.cgroupRoot().resolve(settings.groupName());
      Files.createDirectories(parent);
      if (!Files.isWritable(parent)) {
        return Optional.empty(); // made earlier by another user (root): not ours to fill
      }
      return Optional.of(new CgroupV2Limiter(settings.cgroupRoot(), parent));
    } catch (IOException | RuntimeException e) {
      LOG.debug("cgroup v2 not usable: {}", e.toString());
      return Optional.empty();
    }
  }

  private static Optional<ResourceLimiter> cgroupV1(LimiterSettings settings) {
    try {
      Map<String, Path> mounts = v1Mounts(Files.readAllLines(PROC_MOUNTS));
      Map<String, String> own = ownV1Paths(Files.readAllLines(PROC_CGROUP));
      Map<String, Path> parents = new HashMap<>();
      for (String controller : V1_CONTROLLERS) {
        Path mount = mounts.get(controller);
        if (mount == null || !mount.startsWith(settings.cgroupRoot())) {
          return Optional.empty();
        }
        String ownPath = own.getOrDefault(controller, "/").substring(1);
        Path parent = mount.resolve(ownPath).resolve(settings.groupName());
        Files.createDirectories(parent);
        if (!Files.isWritable(parent)) {
          return Optional.empty(); // made earlier by another user (root): not ours to fill
        }
        parents.put(controller, parent);
      }
      return Optional.of(new CgroupV1Limiter(parents));
    } catch (IOException | RuntimeException e) {
      LOG.debug("cgroup v1 not usable: {}", e.toString());
      return Optional.empty();
    }
  }

  /** controller → mount point, from /proc/self/mounts lines of type "cgroup". */
  static Map<String, Path> v1Mounts(List<String> mountLines) {
    Map<String, Path> mounts = new HashMap<>();
    for (String line : mountLines) {
      String[] f = line.split(" ");
      if (f.length >= 4 && f[2].equals("cgroup")) {
        for (String option : f[3].split(",")) {
          if (V1_CONTROLLERS.contains(option)) {
            mounts.putIfAbsent(option, Path.of(f[1]));
          }
        }
      }
    }
    return mounts;
  }

  /** controller → this process's cgroup path, from /proc/self/cgroup ("4:memory:/a/b"). */
  static Map<String, String> ownV1Paths(List<String> cgroupLines) {
    Map<String, String> paths = new HashMap<>();
    for (String line : cgroupLines) {
      String[] f = line.split(":", 3);
      if (f.length == 3) {
        for (String controller : f[1].split(",")) {
          paths.put(controller, f[2]);
        }
      }
    }
    return paths;
  }
}
