package io.clawhive.worker.instance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The directories of one instance under {@code <instancesRoot>/<instanceId>/}:
 *
 * <ul>
 *   <li>{@code state/}, {@code config/}, {@code workspace/}: mode 0700, owned by the instance's
 *       system user when there is one (the gateway writes them; OpenClaw's own log file goes under
 *       state/);
 *   <li>{@code logs/}: mode 0700, owned by the worker, because the worker (root) writes and rotates
 *       the captured stdout there and must never follow a tenant's symlink;
 *   <li>the instance directory itself: owned by the worker, 0711 with a tenant (it may pass through
 *       but not list), 0700 without; it holds the worker's {@code gateway.pid}.
 * </ul>
 *
 * <p>Where the host offers them ({@link DiskImages}), the instance directory is the root of the
 * instance's own ext4 image, mounted before {@link #create} and unmounted before {@link #delete}.
 */
public final class InstanceLayout {

  public static final String PID_FILE_NAME = "gateway.pid";
  public static final String CONFIG_FILE_NAME = "openclaw.json";
  public static final String LOG_FILE_NAME = "gateway.log";
  private static final String PRIVATE = "rwx------";

  /** A tenant process still writing (mode user) can make one rm pass meet a non-empty dir. */
  private static final int DELETE_ATTEMPTS = 3;

  private static final String TRAVERSE_ONLY = "rwx--x--x";

  private final String instanceId;
  private final Path instanceDir;

  private InstanceLayout(String instanceId, Path instanceDir) {
    this.instanceId = instanceId;
    this.instanceDir = instanceDir;
  }

  public static InstanceLayout of(Path instancesRoot, String instanceId) {
    if (instanceId == null || !instanceId.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")) {
      throw new IllegalArgumentException("instance id must be [A-Za-z0-9_-]: " + instanceId);
    }
    return new InstanceLayout(instanceId, instancesRoot.resolve(instanceId));
  }

  public String instanceId() {
    return instanceId;
  }

  public Path instanceDir() {
    return instanceDir;
  }

  public Path stateDir() {
    return instanceDir.resolve("state");
  }

  public Path configDir() {
    return instanceDir.resolve("config");
  }

  public Path configFile() {
    return configDir().resolve(CONFIG_FILE_NAME);
  }

  public Path workspaceDir() {
    return instanceDir.resolve("workspace");
  }

  public Path logsDir() {
    return instanceDir.resolve("logs");
  }

  public Path logFile() {
    return logsDir().resolve(LOG_FILE_NAME);
  }

  public Path pidFile() {
    return instanceDir.resolve(PID_FILE_NAME);
  }

  /** Creates the directories (idempotent), handing the tenant's ones to {@code owner}. */
  public InstanceLayout create(Optional<SystemUser> owner) {
    try {
      Files.createDirectories(instanceDir.getParent());
      for (Path dir : List.of(instanceDir, stateDir(), configDir(), workspaceDir(), logsDir())) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(dir);
        }
        Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .setPermissions(PosixFilePermissions.fromString(PRIVATE));
      }
      if (owner.isPresent()) {
        Files.setPosixFilePermissions(instanceDir, PosixFilePermissions.fromString(TRAVERSE_ONLY));
        for (Path dir : List.of(stateDir(), configDir(), workspaceDir())) {
          chown(dir, owner.get());
        }
        // from here on only the tenant's own uid writes inside these three directories
      }
      return this;
    } catch (IOException | UnsupportedOperationException e) {
      throw new ProvisioningException(instanceId, "cannot create directories in " + instanceDir, e);
    }
  }

  /**
   * Gives a directory the worker created to the instance's user, never following a link (its parent
   * is the worker's own instance directory, which the tenant cannot write).
   */
  public static void chown(Path path, SystemUser owner) throws IOException {
    Files.setAttribute(path, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Removes the instance directory and everything in it with {@code rm -rf --one-file-system}
   * (bounded): GNU rm walks by directory descriptors and never follows a link, so a tenant that
   * swaps its directories for symlinks during the removal cannot make root delete elsewhere.
   */
  public void delete() {
    if (!Files.exists(instanceDir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    HostCommand.Result removed = null;
    for (int attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
      removed =
          HostCommand.run(List.of("rm", "-rf", "--one-file-system", "--", instanceDir.toString()));
      if (removed.exitCode() == 0 || !Files.exists(instanceDir, LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
    }
    throw new ProvisioningException(
        instanceId, "cannot delete " + instanceDir + ": " + removed.output());
  }

  /** The pid files of all instances under a root, for leftover cleanup at worker start. */
  public static List<Path> pidFilesUnder(Path instancesRoot) {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(instancesRoot)) {
      return files;
    }
    try (Stream<Path> dirs = Files.list(instancesRoot)) {
      dirs.map(d -> d.resolve(PID_FILE_NAME)).filter(Files::isRegularFile).forEach(files::add);
    } catch (IOException e) {
      throw new ProvisioningException("*", "cannot list " + instancesRoot, e);
    }
    return files;
  }
}
