package io.clawhive.worker.fleet;

import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.instance.DiskImages;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.process.GatewayLauncher;
import io.clawhive.worker.process.LaunchSpec;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.supervision.GatewaySupervisor;
import io.clawhive.worker.supervision.HealthProbe;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts, stops, restarts and removes the gateway of one member: each launch goes through the
 * worker's {@link Isolation} (own user, sandbox), each member gets one {@link GatewaySupervisor} on
 * first start (before which the fleet may refresh its config, see {@link
 * Provisioner#ensureModelCredential}). Changes are made while holding the member's monitor.
 */
final class Lifecycle {

  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

  private final FleetSettings settings;
  private final Storage storage;
  private final GatewayLauncher launcher;
  private final HealthProbe probe;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final StoringListener listener;
  private final Isolation isolation;
  private final Optional<SystemUsers> users;
  private final Optional<DiskImages> disks;
  private final Consumer<Member> beforeFirstLaunch;

  Lifecycle(
      FleetSettings settings,
      Storage storage,
      GatewayLauncher launcher,
      HealthProbe probe,
      ScheduledExecutorService scheduler,
      Clock clock,
      StoringListener listener,
      Isolation isolation,
      Optional<SystemUsers> users,
      Optional<DiskImages> disks,
      Consumer<Member> beforeFirstLaunch) {
    this.settings = settings;
    this.storage = storage;
    this.launcher = launcher;
    this.probe = probe;
    this.scheduler = scheduler;
    this.clock = clock;
    this.listener = listener;
    this.isolation = isolation;
    this.users = users;
    this.disks = disks;
    this.beforeFirstLaunch = beforeFirstLaunch;
  }

  /** Starts supervising the member's gateway (a no-op while it is supervised). */
  void launch(Member member) {
    synchronized (member) {
      if (member.supervisor == null) {
        if (isolation.ownUsers() && member.user.isEmpty()) {
          String reason =
              "has no system user, but isolation mode "
                  + isolation.mode().configName()
                  + " runs every gateway as its own user (made under mode none?): delete it";
          LOG.error("instance {} FAILED: {}; needs an operator", member.id, reason);
          persistStopped(member, InstanceState.FAILED, reason);
          return;
        }
        // never a gateway on the bare directory: its writes would land on the worker's disk
        disks.ifPresent(d -> d.mount(member.layout));
        beforeFirstLaunch.accept(member);
        LaunchSpec spec =
            LaunchSpec.forInstance(
                member.layout,
                member.port,
                settings.command(member.port, isolation.privateNetworks()),
                settings.runtime(),
                member.user,
                settings.limits());
        member.supervisor =
            new GatewaySupervisor(
                isolation.apply(spec, member.layout, settings.runtime()),
                launcher,
                probe,
                scheduler,
                clock,
                settings.policy(),
                listener);
      }
      member.stopping.join();
      member.supervisor.start();
    }
  }

  /** Starts a hibernated/stopped member (desired RUNNING); FAILED stays failed. */
  void ensureStarted(Member member) {
    InstanceState state = member.state();
    if (state == InstanceState.FAILED) {
      throw failed(member);
    }
    boolean hasSupervisor;
    synchronized (member) {
      hasSupervisor = member.supervisor != null;
    }
    if (hasSupervisor && member.live() && state != InstanceState.PROVISIONING) {
      return;
    }
    storage
        .dao(InstanceDao.class)
        .updateDesiredState(member.id, InstanceState.RUNNING, clock.instant());
    if (state == InstanceState.HIBERNATED) {
      LOG.info("waking {}", member);
    }
    launch(member);
  }

  /** A graceful restart of a supervised gateway, else a start (desired RUNNING). */
  void restart(Member member, String reason) {
    synchronized (member) {
      if (member.supervisor != null
          && member.live()
          && member.state() != InstanceState.PROVISIONING) {
        member.requestedRestart = true;
        try {
          member.supervisor.restart(reason);
        } finally {
          member.requestedRestart = false;
        }
        return;
      }
    }
    storage
        .dao(InstanceDao.class)
        .updateDesiredState(member.id, InstanceState.RUNNING, clock.instant());
    launch(member);
  }

  /** Stops the process (desired HIBERNATED), keeps the files; the next message wakes it. */
  void hibernate(Member member, String reason) {
    storage
        .dao(FleetDao.class)
        .setStates(member.id, member.state(), InstanceState.HIBERNATED, clock.instant());
    stop(member, InstanceState.HIBERNATED, reason).join();
  }

  /** Stops {@code member} into {@code target}; completes when the process is gone. */
  CompletableFuture<Void> stop(Member member, InstanceState target, String reason) {
    synchronized (member) {
      if (member.supervisor == null) {
        persistStopped(member, target, reason);
        return CompletableFuture.completedFuture(null);
      }
      member.stopping = member.supervisor.stop(target, reason);
      return member.stopping;
    }
  }

  /** For worker stop: stops a live gateway into HIBERNATED (desired state kept). */
  CompletableFuture<Void> stopForShutdown(Member member) {
    synchronized (member) {
      if (member.supervisor != null && member.live()) {
        member.stopping = member.supervisor.stop(InstanceState.HIBERNATED, "worker stopping");
      }
      return member.stopping;
    }
  }

  /**
   * Stops the gateway and removes its files (disk image unmounted and removed), its egress rules
   * and its user (row kept).
   */
  void remove(Member member) {
    stop(member, InstanceState.DELETED, "delete requested").join();
    disks.ifPresent(d -> d.delete(member.layout));
    member.layout.delete();
    member.user.ifPresent(
        u -> {
          isolation.onInstanceDeleted(member.id, u);
          users.ifPresent(us -> us.delete(u));
        });
  }

  InstanceUnavailableException failed(Member member) {
    String reason =
        storage
            .dao(InstanceDao.class)
            .findById(member.id)
            .map(Instance::failureReason)
            .orElse("unknown");
    return new InstanceUnavailableException(
        member.id, member.tenantId(), "FAILED and needs an operator: " + reason);
  }

  private void persistStopped(Member member, InstanceState target, String reason) {
    var now = clock.instant();
    if (target == InstanceState.FAILED) {
      storage.dao(FleetDao.class).markFailed(member.id, reason, now);
    } else {
      storage.dao(FleetDao.class).setActualState(member.id, target, now);
    }
    member.changed(target);
  }
}
