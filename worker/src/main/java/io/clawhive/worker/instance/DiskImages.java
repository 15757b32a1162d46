package io.clawhive.worker.instance;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real disk limit per instance (root only): a sparse ext4 image of the quota's size per instance,
 * loop-mounted ({@code nosuid,nodev}) over the instance directory, so everything the tenant writes
 * (state, config, workspace with its skills) stops at the quota with ENOSPC, and nothing it writes
 * lands on the disk that holds the control plane's data. The worker's own files of the instance
 * (pid file, captured log, sandbox identity files) sit in root-owned 0700 directories of the same
 * image, written into blocks reserved for root, so a full disk does not stop the worker from
 * managing the gateway.
 *
 * <p>Images live in {@code <instancesRoot>/.disk-images/} (root, 0700: no tenant can reach it; an
 * instance id cannot start with a dot). Every path root passes to mount/umount consists of
 * root-owned directories only, so no tenant symlink is ever followed. The instances root is bind
 * mounted onto itself as a <em>shared</em> mount while the worker runs: the mount namespaces that
 * {@code ip netns exec} makes for other gateways are slaves of it, so unmounting an image here
 * unmounts their copies too and its loop device (autoclear) is released at once.
 */
public final class DiskImages {

  private static final Logger LOG = LoggerFactory.getLogger(DiskImages.class);
  public static final String IMAGES_DIR = ".disk-images";
  static final String IMAGE_SUFFIX = ".img";
  static final String MOUNT_OPTIONS = "loop,nosuid,nodev";
  static final Path LOOP_CONTROL = Path.of("/dev/loop-control");
  static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  /** Blocks reserved for root (the worker's pid file and log) when the tenant filled the rest. */
  static final String RESERVED_PERCENT = "1";

  /** Below this much free space the disk counts as full (the tenant is told). */
  public static final long FULL_BELOW_BYTES = 1024 * 1024;

  static final long PROBE_BYTES = 4L * 1024 * 1024;
  static final String PRIVATE = "rwx------";

  /** A fresh sparse file reads as zeros: mke2fs ≥ 1.47 then skips zeroing inode tables. */
  static final List<String> PREZEROED = List.of("-E", "assume_storage_prezeroed=1");

  /** After a gateway stops, the worker's log pump may still hold its log file for a moment. */
  static final int UNMOUNT_ATTEMPTS = 30;

  static final long UNMOUNT_RETRY_MILLIS = 100;

  private final Path instancesRoot;
  private final Path imagesDir;
  private final long quotaBytes;
  private final List<String> mkfsOptions;

  /** Whether {@link #open} made the root's bind (an operator's own mount there stays at close). */
  private volatile boolean bound;

  /** Free and total bytes of one mounted image, as the tenant sees them. */
  public record Usage(long totalBytes, long usableBytes) {
    public boolean full() {
      return usableBytes < FULL_BELOW_BYTES;
    }

    /** Room again (a tenth free): the next time it fills up, the tenant is told again. */
    public boolean roomy() {
      return usableBytes > totalBytes / 10;
    }
  }

  private DiskImages(Path instancesRoot, long quotaBytes, List<String> mkfsOptions) {
    this.instancesRoot = instancesRoot;
    this.imagesDir = instancesRoot.resolve(IMAGES_DIR);
    this.quotaBytes = quotaBytes;
    this.mkfsOptions = List.copyOf(mkfsOptions);
  }

  /**
   * Whether this host can give instances their own images (root, losetup, mount, mkfs.ext4, loop
   * devices, and a probe image that really mounts); says once what happens either way.
   */
  public static Optional<DiskImages> detect(Path instancesRoot, long quotaBytes) {
    String fallback = "; the disk quota is enforced by a periodic scan instead";
    if (!SystemUsers.runningAsRoot()) {
      LOG.info("disk quota: not root, no per-instance disk images{}", fallback);
      return Optional.empty();
    }
    for (List<String> tool :
        List.of(
            List.of("losetup", "--version"),
            List.of("mount", "--version"),
            List.of("mkfs.ext4", "-V"))) {
      HostCommand.Result result = HostCommand.run(tool);
      if (result.exitCode() != 0) {
        LOG.warn(
            "disk quota: {} not usable ({}): install util-linux and e2fsprogs for per-instance disk"
                + " images{}",
            tool.get(0),
            result.output(),
            fallback);
        return Optional.empty();
      }
    }
    if (!Files.exists(LOOP_CONTROL)) {
      LOG.warn(
          "disk quota: no {} (a container needs access to loop devices){}", LOOP_CONTROL, fallback);
      return Optional.empty();
    }
    try {
      DiskImages images = probe(instancesRoot, quotaBytes);
      LOG.info(
          "disk quota: every instance gets its own {} MiB ext4 image in {} (sparse, loop-mounted"
              + " nosuid,nodev over its directory); {} MiB free there now",
          quotaBytes / (1024 * 1024),
          images.imagesDir,
          Files.getFileStore(images.imagesDir).getUsableSpace() / (1024 * 1024));
      return Optional.of(images);
    } catch (IOException | RuntimeException e) {
      LOG.warn("disk quota: a probe image could not be mounted ({}){}", e.getMessage(), fallback);
      return Optional.empty();
    }
  }

  /** Makes and mounts a small image (with mke2fs's prezeroed option, else without it). */
  private static DiskImages probe(Path instancesRoot, long quotaBytes) throws IOException {
    Path images = instancesRoot.resolve(IMAGES_DIR);
    Files.createDirectories(images);
    Files.setPosixFilePermissions(images, PosixFilePermissions.fromString(PRIVATE));
    Path image = images.resolve("probe" + IMAGE_SUFFIX);
    Path mountPoint = images.resolve("probe.mnt");
    List<List<String>> candidates = List.of(PREZEROED, List.of());
    String last = "";
    for (List<String> options : candidates) {
      DiskImages candidate = new DiskImages(instancesRoot, quotaBytes, options);
      try {
        Files.deleteIfExists(image);
        candidate.makeImage(image, PROBE_BYTES);
        Files.createDirectories(mountPoint);
        candidate.mountAt(image, mountPoint);
        candidate.unmountAt(mountPoint);
        return candidate;
      } catch (ProvisioningException e) {
        last = e.getMessage();
      } finally {
        if (isMountPoint(mountPoint)) {
          HostCommand.run(List.of("umount", "-l", mountPoint.toString()));
        }
        Files.deleteIfExists(image);
        Files.deleteIfExists(mountPoint);
      }
    }
    throw new IOException(last);
  }

  public long quotaBytes() {
    return quotaBytes;
  }

  /** Where the instance's image is (whether or not it exists). */
  public Path imageOf(InstanceLayout layout) {
    return imagesDir.resolve(layout.instanceId() + IMAGE_SUFFIX);
  }

  /** Whether the instance has an image (instances made before images were used have none). */
  public boolean has(InstanceLayout layout) {
    return Files.isRegularFile(imageOf(layout), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * At worker start, before any image is mounted: the instances root becomes a shared mount (see
   * the class comment). Idempotent.
   */
  public void open() {
    if (!isMountPoint(instancesRoot)) {
      run(
          "*",
          List.of("mount", "--bind", instancesRoot.toString(), instancesRoot.toString()),
          "bind the instances root");
      bound = true;
    }
    run("*", List.of("mount", "--make-shared", instancesRoot.toString()), "share the root");
  }

  /**
   * At worker stop, after every image was unmounted: the instances root's bind goes when {@link
   * #open} made it (one left by a crashed worker stays and is used again at the next start).
   */
  public void close() {
    if (bound && isMountPoint(instancesRoot)) {
      bound = false;
      HostCommand.Result result = HostCommand.run(List.of("umount", instancesRoot.toString()));
      if (result.exitCode() != 0) {
        LOG.warn("instances root {} stays bind-mounted: {}", instancesRoot, result.output());
      }
    }
  }

  /** Provisioning: a new image of the quota's size, mounted over the (new) instance directory. */
  public void create(InstanceLayout layout) {
    Path image = imageOf(layout);
    if (!has(layout)) {
      try {
        makeImage(image, quotaBytes);
      } catch (IOException e) {
        throw new ProvisioningException(layout.instanceId(), "cannot create " + image, e);
      }
      warnWhenOvercommitted();
    }
    mount(layout);
  }

  /** Mounts the instance's image over its directory unless it is mounted (no image: no-op). */
  public void mount(InstanceLayout layout) {
    if (!has(layout) || isMountPoint(layout.instanceDir())) {
      return;
    }
    Path dir = layout.instanceDir();
    try {
      if (Files.isSymbolicLink(dir)) {
        throw new ProvisioningException(layout.instanceId(), dir + " is a symlink");
      }
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ProvisioningException(layout.instanceId(), "cannot create " + dir, e);
    }
    mountAt(imageOf(layout), dir);
  }

  /** Unmounts the instance's image (waiting briefly for the worker's log file to close). */
  public void unmount(InstanceLayout layout) {
    unmountAt(layout.instanceDir());
  }

  /** Deleting the instance: its image unmounted and removed. */
  public void delete(InstanceLayout layout) {
    unmount(layout);
    try {
      Files.deleteIfExists(imageOf(layout));
    } catch (IOException e) {
      throw new ProvisioningException(layout.instanceId(), "cannot remove " + imageOf(layout), e);
    }
  }

  /** The mounted image's space; empty when it is not mounted. */
  public Optional<Usage> usage(InstanceLayout layout) {
    if (!isMountPoint(layout.instanceDir())) {
      return Optional.empty();
    }
    try {
      FileStore store = Files.getFileStore(layout.instanceDir());
      return Optional.of(new Usage(store.getTotalSpace(), store.getUsableSpace()));
    } catch (IOException e) {
      LOG.warn("disk usage of {} unknown: {}", layout.instanceDir(), e.toString());
      return Optional.empty();
    }
  }

  /** Whether {@code dir} is a mount point in this worker's mount namespace. */
  public static boolean isMountPoint(Path dir) {
    return mountPoints().contains(dir.toAbsolutePath().normalize().toString());
  }

  /** Mount points listed in /proc/self/mountinfo (field 5, octal escapes decoded). */
  static List<String> mountPoints() {
    List<String> points = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(MOUNTINFO)) {
        String[] fields = line.split(" ");
        if (fields.length > 4) {
          points.add(unescape(fields[4]));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + MOUNTINFO, e);
    }
    return points;
  }

  static String unescape(String field) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private void makeImage(Path image, long bytes) throws IOException {
    Files.createDirectories(image.getParent());
    try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
      file.setLength(bytes); // sparse: blocks are taken only as the tenant writes
    }
    Files.setPosixFilePermissions(image, PosixFilePermissions.fromString("rw-------"));
    List<String> mkfs =
        new ArrayList<>(
            List.of("mkfs.ext4", "-q", "-F", "-O", "^has_journal", "-m", RESERVED_PERCENT));
    mkfs.addAll(mkfsOptions);
    mkfs.add(image.toString());
    HostCommand.Result made = HostCommand.run(mkfs);
    if (made.exitCode() != 0) {
      Files.deleteIfExists(image);
      throw new ProvisioningException(
          image.getFileName().toString(),
          "mkfs.ext4 failed (" + made.exitCode() + "): " + made.output());
    }
  }

  private void mountAt(Path image, Path dir) {
    run(
        dir.getFileName().toString(),
        List.of("mount", "-t", "ext4", "-o", MOUNT_OPTIONS, image.toString(), dir.toString()),
        "mount " + image);
  }

  private void unmountAt(Path dir) {
    HostCommand.Result result = null;
    for (int attempt = 0; attempt < UNMOUNT_ATTEMPTS && isMountPoint(dir); attempt++) {
      result = HostCommand.run(List.of("umount", dir.toString()));
      if (result.exitCode() == 0) {
        return;
      }
      try {
        Thread.sleep(UNMOUNT_RETRY_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (isMountPoint(dir)) {
      LOG.warn(
          "{} still busy ({}): detached lazily, its loop device goes with the last user",
          dir,
          result == null ? "interrupted" : result.output());
      run(dir.getFileName().toString(), List.of("umount", "-l", dir.toString()), "umount -l");
    }
  }

  /** Sparse images may promise more than the disk holds: say so when they do. */
  private void warnWhenOvercommitted() {
    try (var images = Files.list(imagesDir)) {
      long count = images.filter(p -> p.toString().endsWith(IMAGE_SUFFIX)).count();
      long free = Files.getFileStore(imagesDir).getUsableSpace();
      if (count * quotaBytes > free) {
        LOG.warn(
            "disk quota: {} images of {} MiB may grow past the {} MiB free in {}; tenants could"
                + " fill that disk together (give instances their own disk or lower the quota)",
            count,
            quotaBytes / (1024 * 1024),
            free / (1024 * 1024),
            imagesDir);
      }
    } catch (IOException e) {
      LOG.debug("cannot sum disk images in {}: {}", imagesDir, e.toString());
    }
  }

  private static void run(String instanceId, List<String> command, String what) {
    HostCommand.Result result = HostCommand.run(command);
    if (result.exitCode() != 0) {
      throw new ProvisioningException(
          instanceId, what + " failed (" + result.exitCode() + "): " + result.output());
    }
  }
}
