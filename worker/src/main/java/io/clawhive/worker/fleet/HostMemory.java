package io.clawhive.worker.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * The host's available memory: Linux's {@code MemAvailable} (free memory plus what the kernel can
 * reclaim, e.g. page cache), which is what a new process can really get; "free" alone reads far too
 * low on a host with a warm cache. Empty where {@code /proc/meminfo} has no such line.
 */
public final class HostMemory {

  static final Path MEMINFO = Path.of("/proc/meminfo");
  private static final String AVAILABLE = "MemAvailable:";
  private static final long KIB = 1024;

  /** What the host reports; the fleet's tests substitute a fixed figure. */
  public static final Supplier<OptionalLong> HOST = () -> available(MEMINFO);

  private HostMemory() {}

  static OptionalLong available(Path meminfo) {
    try {
      for (String line : Files.readAllLines(meminfo)) {
        if (line.startsWith(AVAILABLE)) {
          String[] words = line.substring(AVAILABLE.length()).trim().split("\\s+");
          return OptionalLong.of(Long.parseLong(words[0]) * KIB);
        }
      }
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }
}
