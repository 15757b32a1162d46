package io.clawhive.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of this JVM (node, driver and fake Bot API together; the stand-in
 * gateways are child processes and not counted).
 */
final class ProcessStats {

  private static final Path STATUS = Path.of("/proc/self/status");

  private ProcessStats() {}

  static long cpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Peak resident set (VmHWM) in MiB, or -1 where /proc is missing. */
  static long peakRssMib() {
    return statusKib("VmHWM:") / 1024;
  }

  static long rssMib() {
    return statusKib("VmRSS:") / 1024;
  }

  private static long statusKib(String key) {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1024;
    }
    return -1024;
  }
}
