package io.clawhive.worker.limits;

/**
 * Per-instance resource limits. Defaults are sized for one OpenClaw gateway (DESIGN.md: RSS ≈ 0.85
 * GB when ready, 1.1–1.3 GB after a few turns, plus two small child processes).
 */
public record ResourceLimits(long memoryBytes, int maxPids, double cpuCores) {

  public static final long MIB = 1024L * 1024L;
  public static final long DEFAULT_MEMORY_BYTES = 1536 * MIB;
  public static final int DEFAULT_MAX_PIDS = 512;
  public static final double DEFAULT_CPU_CORES = 1.0;

  /** Below this a gateway cannot even start; rejects typos such as "1536" meaning MiB. */
  public static final long MIN_MEMORY_BYTES = 32 * MIB;

  public ResourceLimits {
    if (memoryBytes < MIN_MEMORY_BYTES) {
      throw new IllegalArgumentException(
          "memoryBytes must be >= " + MIN_MEMORY_BYTES + ", was " + memoryBytes);
    }
    if (maxPids < 1) {
      throw new IllegalArgumentException("maxPids must be >= 1, was " + maxPids);
    }
    if (!(cpuCores > 0)) {
      throw new IllegalArgumentException("cpuCores must be > 0, was " + cpuCores);
    }
  }

  public static ResourceLimits defaults() {
    return new ResourceLimits(DEFAULT_MEMORY_BYTES, DEFAULT_MAX_PIDS, DEFAULT_CPU_CORES);
  }

  public ResourceLimits withMemoryBytes(long bytes) {
    return new ResourceLimits(bytes, maxPids, cpuCores);
  }
}
