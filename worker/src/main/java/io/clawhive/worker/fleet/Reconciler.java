package io.clawhive.worker.fleet;

import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.instance.DiskImages;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.ProvisioningException;
import io.clawhive.worker.process.LeftoverReaper;
import io.clawhive.worker.sandbox.Isolation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker start: the instances root prepared (0711), leftover gateways of a crashed worker reaped,
 * every instance of this node adopted with its disk image mounted and its egress rules in place
 * again, and those whose desired state is RUNNING started (this replaces per-instance units and
 * fstab entries that act at boot).
 */
final class Reconciler {

  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  /** Traversable, not listable. */
  static final String INSTANCES_ROOT_MODE = "rwx--x--x";

  /** What one reconcile did, for the start-up line. */
  record Outcome(int known, int started, int reaped) {}

  private final FleetSettings settings;
  private final Storage storage;
  private final Members members;
  private final Lifecycle lifecycle;
  private final Isolation isolation;
  private final Optional<DiskImages> disks;
  private final Clock clock;

  Reconciler(
      FleetSettings settings,
      Storage storage,
      Members members,
      Lifecycle lifecycle,
      Isolation isolation,
      Optional<DiskImages> disks,
      Clock clock) {
    this.settings = settings;
    this.storage = storage;
    this.members = members;
    this.lifecycle = lifecycle;
    this.isolation = isolation;
    this.disks = disks;
    this.clock = clock;
  }

  Outcome run() {
    prepareInstancesRoot();
    int reaped =
        new LeftoverReaper(settings.policy().stopGrace())
            .reap(InstanceLayout.pidFilesUnder(settings.instancesDir()))
            .size();
    disks.ifPresent(DiskImages::open);
    int started = 0;
    List<Instance> rows = storage.dao(InstanceDao.class).listByWorker(settings.nodeId());
    Set<Integer> slots =
        !isolation.privateNetworks()
            ? Set.of()
            : rows.stream()
                .filter(r -> r.actualState() != InstanceState.DELETED)
                .map(r -> settings.ports().slotOf(r.port()))
                .collect(Collectors.toSet());
    int leftovers = isolation.removeLeftoverNetworks(slots);
    if (leftovers > 0) {
      LOG.info("removed {} leftover network namespace(s) of deleted instances", leftovers);
    }
    for (Instance row : rows) {
      Member member = members.adopt(row);
      if (row.actualState() != InstanceState.DELETED && !mountDisk(member)) {
        continue;
      }
      if (row.actualState() != InstanceState.DELETED) {
        member.user.ifPresent(
            u ->
                isolation.onInstanceCreated(
                    member.id, u, member.port, settings.ports().slotOf(member.port)));
      }
      if (row.desiredState() == InstanceState.RUNNING
          && row.actualState() != InstanceState.FAILED) {
        lifecycle.launch(member);
        started++;
      }
    }
    return new Outcome(members.all().size(), started, reaped);
  }

  /**
   * Mounts the member's disk image before anything touches its files (a host reboot unmounted it);
   * false when that failed (the instance is FAILED: a gateway on the bare directory would write to
   * the worker's disk).
   */
  private boolean mountDisk(Member member) {
    if (disks.isEmpty()) {
      return true;
    }
    if (!disks.get().has(member.layout)) {
      LOG.warn(
          "instance {} has no disk image (made before images were used): its disk quota is"
              + " enforced by the periodic scan",
          member.id);
      return true;
    }
    try {
      disks.get().mount(member.layout);
      return true;
    } catch (RuntimeException e) {
      String reason = "disk image not mounted: " + e.getMessage();
      LOG.error("instance {} FAILED: {}; needs an operator", member.id, reason);
      storage.dao(FleetDao.class).markFailed(member.id, reason, clock.instant());
      member.changed(InstanceState.FAILED);
      return false;
    }
  }

  /** Tenants pass through the root to their own instance directory but cannot list it. */
  private void prepareInstancesRoot() {
    Path root = settings.instancesDir();
    try {
      Files.createDirectories(root);
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString(INSTANCES_ROOT_MODE));
    } catch (IOException | UnsupportedOperationException e) {
      throw new ProvisioningException("*", "cannot prepare the instances directory " + root, e);
    }
  }
}
