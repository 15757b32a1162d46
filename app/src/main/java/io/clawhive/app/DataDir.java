package io.clawhive.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's data directory and who may enter it. Tenant gateways run as their own users and must
 * pass through it to reach their instance directories, so the root is traversable but not listable
 * (0711), while the database ({@value #DB}/) and the embedded broker's store and password ({@value
 * #BROKER}/) are owner-only: directories 0700, files 0600, set explicitly (independent of the
 * umask). Each instance directory below guards itself (see the worker's InstanceLayout).
 */
final class DataDir {

  private static final Logger LOG = LoggerFactory.getLogger(DataDir.class);

  /** Where the H2 file database lives (the storage factory's layout). */
  static final String DB = "db";

  /** Where the embedded broker keeps its store and password (the task bus's layout). */
  static final String BROKER = "broker";

  static final Set<PosixFilePermission> TRAVERSE_ONLY =
      PosixFilePermissions.fromString("rwx--x--x");
  static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

  private DataDir() {}

  /** Creates the root (0711) and the private directories (0700) before anything writes there. */
  static Path prepare(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    if (!posix(dataDir)) {
      LOG.warn("cannot restrict permissions of {}: not a POSIX file system", dataDir);
      return dataDir;
    }
    Files.setPosixFilePermissions(dataDir, TRAVERSE_ONLY);
    for (String name : List.of(DB, BROKER)) {
      Path dir = Files.createDirectories(dataDir.resolve(name));
      Files.setPosixFilePermissions(dir, PRIVATE_DIR);
    }
    return dataDir;
  }

  /**
   * Once storage and broker have written their files: everything below the private directories is
   * owner-only (directories 0700, files 0600); symlinks are left alone.
   */
  static void lockDown(Path dataDir) {
    if (!posix(dataDir)) {
      return;
    }
    for (String name : List.of(DB, BROKER)) {
      Path dir = dataDir.resolve(name);
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : paths.toList()) {
          if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(p, PRIVATE_DIR);
          } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.setPosixFilePermissions(p, PRIVATE_FILE);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot restrict permissions below " + dir, e);
      }
    }
  }

  private static boolean posix(Path dir) {
    return Files.getFileAttributeView(dir, java.nio.file.attribute.PosixFileAttributeView.class)
        != null;
  }
}
