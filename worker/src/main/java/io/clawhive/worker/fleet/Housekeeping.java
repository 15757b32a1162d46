package io.clawhive.worker.fleet;

import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.instance.DiskImages;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's background work, one thread, every {@code housekeepingInterval}: refill the warm pool
 * (also right after a claim), hibernate tenants' gateways idle longer than {@code hibernateAfter},
 * and watch the disk quota: an instance with its own disk image cannot write past it, so when the
 * image is full the tenant is told once (again only after it had room again); an instance without
 * one (no images on this host, or made before them) is measured, and its gateway stopped when its
 * directories use more than {@code diskQuota} (the tenant is told once). Each counts as a quota
 * hit.
 */
final class Housekeeping {

  private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);
  static final long MIB = 1024 * 1024;

  private final Fleet fleet;
  private final FleetSettings settings;
  private final Storage storage;
  private final Clock clock;
  private final FleetMetrics metrics;
  private final Optional<DiskImages> disks;

  /** Instances whose tenant was told that their disk is full. */
  private final Set<String> toldFull = ConcurrentHashMap.newKeySet();

  private final Object roundLock = new Object();
  private ScheduledExecutorService executor;

  Housekeeping(
      Fleet fleet,
      FleetSettings settings,
      Storage storage,
      Clock clock,
      FleetMetrics metrics,
      Optional<DiskImages> disks) {
    this.fleet = fleet;
    this.settings = settings;
    this.storage = storage;
    this.clock = clock;
    this.metrics = metrics;
    this.disks = disks;
  }

  synchronized void start() {
    executor = Executors.newSingleThreadScheduledExecutor(Fleet.daemon("fleet-housekeeping"));
    long period = settings.housekeepingInterval().toMillis();
    executor.scheduleWithFixedDelay(this::runSafely, 0, period, TimeUnit.MILLISECONDS);
  }

  /**
   * No new rounds; a round in progress (a pool refill provisioning an instance: user, namespace,
   * iptables) may finish within the stop grace and is interrupted only after it, so that a clean
   * stop does not leave a half-provisioned instance FAILED.
   */
  synchronized void stop() {
    if (executor != null) {
      executor.shutdown();
      try {
        long grace = settings.policy().stopGrace().toMillis();
        if (!executor.awaitTermination(grace, TimeUnit.MILLISECONDS)) {
          LOG.warn("housekeeping round still running after {} ms at stop: interrupting it", grace);
          executor.shutdownNow();
          executor.awaitTermination(grace, TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        executor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Refill the pool soon, on the housekeeping thread. */
  synchronized void refillSoon() {
    if (executor != null && !executor.isShutdown()) {
      executor.execute(
          () -> {
            synchronized (roundLock) {
              guarded("pool refill", this::refillPool);
            }
          });
    }
  }

  /** One full round, on the calling thread (tests call this to avoid waiting for the timer). */
  void runOnce() {
    synchronized (roundLock) {
      guarded("pool refill", this::refillPool);
      guarded("hibernation", this::hibernateIdle);
      guarded("disk quota", this::enforceDiskQuota);
    }
  }

  private void runSafely() {
    runOnce();
  }

  private void guarded(String what, Runnable step) {
    try {
      step.run();
    } catch (Throwable t) {
      LOG.warn(
          "housekeeping step {} failed, next round in {}: {}",
          what,
          settings.housekeepingInterval(),
          t.toString());
    }
  }

  void refillPool() {
    if (!fleet.isRunning()) {
      return;
    }
    for (Member failed :
        fleet.members().stream()
            .filter(m -> m.pooled() && m.state() == InstanceState.FAILED)
            .toList()) {
      LOG.warn("pool instance {} FAILED: deleting it, a new one replaces it", failed.id);
      fleet.deleteInstance(failed.id);
    }
    long pooled = fleet.members().stream().filter(m -> m.pooled() && m.live()).count();
    for (long i = pooled; i < fleet.poolTarget() && fleet.isRunning(); i++) {
      fleet.createPooled(UUID.randomUUID().toString());
    }
  }

  void hibernateIdle() {
    Instant cutoff = clock.instant().minus(settings.hibernateAfter());
    Map<String, Member> byId =
        fleet.members().stream().collect(Collectors.toMap(m -> m.id, m -> m, (a, b) -> a));
    List<Instance> idle =
        storage.dao(InstanceDao.class).listIdleSince(InstanceState.RUNNING, cutoff);
    for (Instance row : idle) {
      Member member = byId.get(row.id());
      if (member == null || !row.workerNode().equals(settings.nodeId())) {
        continue;
      }
      LOG.info(
          "{} idle since {}: hibernating",
          member,
          row.lastActiveAt() == null ? row.createdAt() : row.lastActiveAt());
      fleet.hibernateInstance(member.id, "idle longer than " + settings.hibernateAfter());
    }
  }

  void enforceDiskQuota() {
    Set<String> known = new HashSet<>();
    for (Member member : fleet.members()) {
      known.add(member.id);
      if (disks.isPresent() && disks.get().has(member.layout)) {
        watchImage(member, disks.get());
        continue;
      }
      if (!member.live()) {
        continue;
      }
      OptionalLong measured =
          DiskUsage.bytesUnder(
              List.of(
                  member.layout.workspaceDir(),
                  member.layout.stateDir(),
                  member.layout.configDir()));
      if (measured.isEmpty() || measured.getAsLong() <= settings.diskQuotaBytes()) {
        continue;
      }
      long used = measured.getAsLong();
      String reason =
          "disk quota exceeded: "
              + used / MIB
              + " MiB used, quota "
              + settings.diskQuotaBytes() / MIB
              + " MiB";
      LOG.warn("{}: {}; stopping it", member, reason);
      metrics.quotaHit();
      fleet.stopMember(member, InstanceState.FAILED, reason).join();
      fleet.notifyTenant(
          member,
          "Your assistant was stopped: its files use "
              + used / MIB
              + " MiB, more than the "
              + settings.diskQuotaBytes() / MIB
              + " MiB allowed. Ask an operator to clean up its workspace.");
    }
    toldFull.retainAll(known);
  }

  /** The kernel keeps the tenant within its image; tell them once when it is full. */
  private void watchImage(Member member, DiskImages images) {
    Optional<DiskImages.Usage> usage = images.usage(member.layout);
    if (usage.isEmpty()) {
      return;
    }
    if (!usage.get().full()) {
      if (usage.get().roomy()) {
        toldFull.remove(member.id);
      }
      return;
    }
    if (!toldFull.add(member.id)) {
      return;
    }
    metrics.quotaHit();
    LOG.warn(
        "{}: disk full ({} MiB quota, {} KiB free); the gateway keeps running, writes fail",
        member,
        images.quotaBytes() / MIB,
        usage.get().usableBytes() / 1024);
    fleet.notifyTenant(
        member,
        "Your assistant's disk is full: its files use all of the "
            + images.quotaBytes() / MIB
            + " MiB allowed, so it cannot save anything new. Ask it to delete files it no longer"
            + " needs.");
  }
}
