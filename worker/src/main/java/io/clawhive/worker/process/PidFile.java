package io.clawhive.worker.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;

/**
 * A gateway's pid file: {@code "<pid> <startEpochMillis>"}. The start time guards against pid
 * reuse: a leftover is only killed when the live process with that pid started at that time.
 */
public record PidFile(long pid, Instant processStart) {

  /** Worker-private (0600): tenants may pass through the instance dir but not read this. */
  private static final java.util.Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  public static void write(Path file, ProcessHandle process) {
    Instant start = process.info().startInstant().orElse(Instant.EPOCH);
    String line = process.pid() + " " + start.toEpochMilli() + "\n";
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      Files.writeString(tmp, line, StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write pid file " + file, e);
    }
  }

  /** The recorded process, or empty when the file is missing or unreadable. */
  public static Optional<PidFile> read(Path file) {
    try {
      String[] parts = Files.readString(file, StandardCharsets.US_ASCII).trim().split("\\s+");
      if (parts.length != 2) {
        return Optional.empty();
      }
      return Optional.of(
          new PidFile(Long.parseLong(parts[0]), Instant.ofEpochMilli(Long.parseLong(parts[1]))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The live process this file names, if it is still the same process (same start time). */
  public Optional<ProcessHandle> liveProcess() {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(
            p ->
                p.info()
                    .startInstant()
                    .map(s -> s.toEpochMilli() == processStart.toEpochMilli())
                    .orElse(false));
  }
}
