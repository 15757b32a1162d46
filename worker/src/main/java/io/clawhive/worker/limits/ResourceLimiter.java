package io.clawhive.worker.limits;

/** Creates per-instance {@link LimitGroup}s with whatever mechanism the host allows. */
public interface ResourceLimiter {

  LimitGroup create(String instanceId, ResourceLimits limits);

  /** "cgroup-v2", "cgroup-v1" or "rlimit". */
  String mechanism();

  /**
   * cgroup v2 when {@code <root>/cgroup.controllers} offers memory, else v1 when the memory, pids
   * and cpu hierarchies are mounted and writable, else rlimits (logged once at WARN).
   */
  static ResourceLimiter detect(LimiterSettings settings) {
    return LimiterDetector.detect(settings);
  }
}
