package io.clawhive.worker.limits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.OptionalLong;
import java.util.Set;

/** Reads and writes of cgroup control files. */
final class CgroupFiles {

  private static final int REMOVE_ATTEMPTS = 40;
  private static final long REMOVE_PAUSE_MILLIS = 25;

  private CgroupFiles() {}

  static void write(Path file, String value) {
    try {
      Files.writeString(file, value, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + value + " to " + file, e);
    }
  }

  static OptionalLong readLong(Path file) {
    try {
      return OptionalLong.of(Long.parseLong(Files.readString(file).trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The value of {@code key} in a flat "key value" file such as memory.stat. */
  static OptionalLong readKey(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length == 2 && parts[0].equals(key)) {
          return OptionalLong.of(Long.parseLong(parts[1]));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  static Set<Long> readPids(Path procsFile) {
    Set<Long> pids = new LinkedHashSet<>();
    try {
      for (String line : Files.readAllLines(procsFile)) {
        if (!line.isBlank()) {
          pids.add(Long.parseLong(line.trim()));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return Set.of();
    }
    return pids;
  }

  /**
   * Removes a cgroup directory (rmdir). Killed processes leave the group a few milliseconds after
   * they are reaped, so a busy group is retried briefly before giving up.
   */
  static boolean remove(Path group) {
    for (int attempt = 0; attempt < REMOVE_ATTEMPTS; attempt++) {
      try {
        Files.deleteIfExists(group);
        return true;
      } catch (IOException e) {
        try {
          Thread.sleep(REMOVE_PAUSE_MILLIS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return false;
  }
}
