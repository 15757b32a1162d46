package io.clawhive.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * At worker start, in the modes where gateways run as their own users (sandbox, user): every
 * directory on the way to the instances directory and to the runtime must let "others" pass (x),
 * because bubblewrap and node run as the tenant and resolve those paths with its rights. A data dir
 * under a 0700 parent (e.g. {@code /root/clawhive}) is refused with one line naming the directory
 * and the fix, instead of a healthy worker whose every instance fails.
 */
public final class TenantReach {

  /** How the worker creates a missing instances directory: tenants may pass, not list. */
  static final String INSTANCES_DIR_MODE = "rwx--x--x";

  private TenantReach() {}

  /**
   * Creates {@code instancesDir} (0711) when missing, then checks it and {@code runtimeDir} with
   * all their ancestors; throws {@link IsolationUnavailableException} naming the first directory a
   * tenant cannot pass. A no-op in mode none.
   */
  public static void require(IsolationMode mode, Path instancesDir, Path runtimeDir) {
    if (!mode.ownUser()) {
      return;
    }
    Path instances = instancesDir.toAbsolutePath().normalize();
    Path runtime = runtimeDir.toAbsolutePath().normalize();
    check(mode, instances);
    check(mode, runtime);
    try {
      if (!Files.isDirectory(instances)) {
        Files.createDirectories(instances);
        Files.setPosixFilePermissions(
            instances, PosixFilePermissions.fromString(INSTANCES_DIR_MODE));
      }
    } catch (IOException e) {
      throw new IsolationUnavailableException(
          mode, "cannot create the instances directory " + instances + ": " + e.getMessage());
    }
    check(mode, instances); // directories just created follow the umask
  }

  /** Checks the deepest existing directory of {@code dir}'s path and all its ancestors. */
  private static void check(IsolationMode mode, Path dir) {
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    Path real;
    try {
      real = existing.toRealPath();
    } catch (IOException e) {
      throw new IsolationUnavailableException(
          mode, "cannot resolve " + dir + ": " + e.getMessage());
    }
    for (Path p = real; p != null; p = p.getParent()) {
      Set<PosixFilePermission> perms;
      try {
        perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
      } catch (IOException e) {
        throw new IsolationUnavailableException(mode, "cannot read the mode of " + p);
      }
      if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new IsolationUnavailableException(
            mode,
            "tenants (their own users) cannot pass "
                + p
                + " (mode "
                + PosixFilePermissions.toString(perms)
                + ") on the way to "
                + dir
                + "; run chmod o+x "
                + p
                + " or move dataDir/instancesDir and runtimeDir to a path every user can pass"
                + " (e.g. /var/lib/clawhive, /opt/clawhive)");
      }
    }
  }
}
