package io.clawhive.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clawhive.core.storage.Instance;
import io.clawhive.worker.instance.DiskImages;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.BoundedCommand;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.sandbox.SandboxHost;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.standin.StandIn.ExecResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As root with bubblewrap, iptables and loop devices: a tenant whose instance lives in its own disk
 * image writes from /dev/zero as fast as it can and stops at its quota, the node's data directory
 * still takes a file afterwards, the tenant is told once ({@code instances.quota_hits} counts it),
 * the image is mounted again after a worker restart, and deleting the instance leaves no mount and
 * no loop device behind.
 */
class DiskQuotaSandboxTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String PREFIX = "clawdq-";
  private static final String ID = "sbxdisk1";
  private static final long QUOTA = 32L * 1024 * 1024;
  private static final long MIB = 1024 * 1024;
  private static final long TENANT = 7L;

  /** The node's data root: its own files beside the instances directory (same host disk). */
  @TempDir Path dataDir;

  @TempDir Path runtimeDir;

  private Path instancesDir;
  private FleetFixture f;
  private Isolation isolation;
  private Runnable restoreForwarding;
  private final SystemUsers users = new SystemUsers(PREFIX);

  @BeforeEach
  void setUp() throws Exception {
    SandboxHost.assumeSandboxHost();
    assumeTrue(
        Files.exists(Path.of("/dev/loop-control")),
        "no loop devices: skipping the disk image test");
    assumeTrue(run("mkfs.ext4", "-V").startsWith("ok"), "no mkfs.ext4 (apt-get install e2fsprogs)");
    // tenants pass through the node's data dir to their own instance directory (bwrap binds)
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx--x--x"));
    instancesDir = Files.createDirectory(dataDir.resolve("instances"));
    f = new FleetFixture(instancesDir);
    restoreForwarding = SandboxHost.forwardingRestorer();
    isolation = Isolation.forMode(SandboxHost.config("sandbox", List.of()), 2);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (f != null) {
      f.close();
    }
    if (isolation != null) {
      isolation.uninstall();
    }
    if (restoreForwarding != null) {
      restoreForwarding.run();
    }
    users.find(users.nameFor(ID)).ifPresent(users::delete);
    // whatever a failed run left mounted must not outlive it (nor block the temp dir's removal)
    if (instancesDir != null) {
      InstanceLayout layout = InstanceLayout.of(instancesDir, ID);
      for (Path mount : List.of(layout.instanceDir(), instancesDir)) {
        if (DiskImages.isMountPoint(mount)) {
          run("umount", "-l", mount.toString());
        }
      }
    }
  }

  private FleetSettings settings() {
    FleetSettings base = f.settings(0);
    return new FleetSettings(
        base.nodeId(),
        base.instancesDir(),
        base.ports(),
        0,
        base.limits(),
        base.policy(),
        base.hibernateAfter(),
        QUOTA,
        base.housekeepingInterval(),
        List.of(),
        Optional.of(PREFIX),
        base.gatewayProgram(),
        new RuntimeLayout(runtimeDir),
        base.model());
  }

  @Test
  void aTenantWritingFlatOutStopsAtItsQuotaIsToldOnceAndLeavesNothingMountedWhenDeleted()
      throws Exception {
    int loopsBefore = loopDevices().size();
    Fleet fleet = f.fleet(settings(), ConfigCheck.NONE, SkillSource.UNAVAILABLE, isolation);
    fleet.start();
    String id = fleet.createForTenant(TENANT, ID);
    fleet.gatewayFor(TENANT);
    Instance row = f.row(id);
    InstanceLayout layout = InstanceLayout.of(instancesDir, id);
    Path image = instancesDir.resolve(DiskImages.IMAGES_DIR).resolve(id + ".img");

    assertThat(mountLine(layout.instanceDir()))
        .as("the instance directory is its own ext4 image, nosuid,nodev")
        .hasValueSatisfying(
            line -> assertThat(line).contains(" ext4 ").contains("nosuid").contains("nodev"));
    assertThat(Files.size(image)).isEqualTo(QUOTA);

    Path fill = layout.workspaceDir().resolve("fill.bin");
    ExecResult dd =
        StandIn.exec(
            isolation.gatewayHost(id),
            row.port(),
            row.authToken(),
            "dd if=/dev/zero of=" + fill + " bs=1M count=256 2>&1; echo dd-exit=$?; id -u");
    long written = Files.size(fill);
    long imageBlocks = Long.parseLong(run("stat", "-c", "%b", image.toString()).substring(3));
    System.out.printf(
        "tenant wrote %d bytes (%.1f MiB) of 256 MiB asked, quota %d MiB; image allocates %.1f"
            + " MiB on the host disk%n",
        written, written / (double) MIB, QUOTA / MIB, imageBlocks * 512 / (double) MIB);
    assertThat(dd.output())
        .as("dd, run as the tenant in its sandbox, meets a full disk")
        .contains("No space left on device")
        .doesNotContain("dd-exit=0")
        .endsWith(users.find(row.systemUsername()).orElseThrow().uid() + "\n");
    assertThat(written).as("the tenant stops at its quota").isLessThanOrEqualTo(QUOTA);
    assertThat(written)
        .as("most of the quota is usable (ext4 metadata and root's reserve take the rest)")
        .isGreaterThanOrEqualTo(QUOTA * 3 / 4);
    assertThat(imageBlocks * 512).isLessThanOrEqualTo(QUOTA);

    Path nodeFile = dataDir.resolve("node-data.bin");
    Files.write(nodeFile, new byte[(int) (8 * MIB)]);
    assertThat(Files.size(nodeFile))
        .as("the node's own data dir still takes files")
        .isEqualTo(8 * MIB);

    fleet.housekeepNow();
    fleet.housekeepNow();
    await().atMost(WAIT).until(() -> !f.notices.isEmpty());
    fleet.housekeepNow();
    assertThat(f.notices)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.tenantId()).isEqualTo(TENANT);
              assertThat(n.text()).contains("disk is full").contains("32 MiB");
            });
    assertThat(f.metrics.counter(FleetMetrics.QUOTA_HITS).getCount()).isEqualTo(1);
    assertThat(fleet.gatewayFor(TENANT).chat("s", "still there?").content())
        .as("a full disk does not stop the gateway")
        .isEqualTo("echo: still there? (turn 1)");

    fleet.stop();
    assertThat(DiskImages.isMountPoint(layout.instanceDir()))
        .as("worker stop unmounts the image")
        .isFalse();
    assertThat(loopDevices()).noneMatch(line -> line.contains(image.toString()));

    Fleet restarted = f.fleet(settings(), ConfigCheck.NONE, SkillSource.UNAVAILABLE, isolation);
    restarted.start();
    assertThat(DiskImages.isMountPoint(layout.instanceDir()))
        .as("the next start mounts it again before the gateway starts")
        .isTrue();
    assertThat(restarted.gatewayFor(TENANT).chat("s", "back").content()).startsWith("echo: back");
    assertThat(Files.size(fill)).as("the tenant's files are kept").isEqualTo(written);

    restarted.deleteInstance(id);

    assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")))
        .as("nothing of the instance is mounted")
        .noneMatch(line -> line.contains(layout.instanceDir().toString()));
    assertThat(loopDevices())
        .as("no loop device leaked")
        .noneMatch(line -> line.contains(image.toString()))
        .hasSize(loopsBefore);
    assertThat(image).doesNotExist();
    assertThat(layout.instanceDir()).doesNotExist();
    restarted.stop();
    assertThat(DiskImages.isMountPoint(instancesDir))
        .as("the instances root's own bind is gone at stop")
        .isFalse();
  }

  private static Optional<String> mountLine(Path dir) throws IOException {
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .filter(line -> line.split(" ")[4].equals(dir.toString()))
        .findFirst();
  }

  private static List<String> loopDevices() {
    String out = run("losetup", "-a");
    return out.substring(3).lines().filter(l -> !l.isBlank()).toList();
  }

  /** "ok " + stdout, or "failed …". */
  private static String run(String... command) {
    BoundedCommand.Result result =
        BoundedCommand.run(
            new BoundedCommand.Request(
                List.of(command),
                BoundedCommand.hostToolEnvironment(),
                Optional.empty(),
                null,
                false,
                Duration.ofSeconds(30)));
    if (!result.error().isEmpty() || result.exitCode() != 0) {
      return "failed " + result.exitCode() + " " + result.error() + result.stderr();
    }
    return "ok " + result.stdout().trim();
  }
}
