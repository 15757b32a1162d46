package io.clawhive.worker.fleet;

import com.codahale.metrics.health.HealthCheck;
import io.clawhive.core.storage.HealthResult;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.gateway.GatewayClient;
import io.clawhive.worker.gateway.GatewayUnavailableException;
import io.clawhive.worker.instance.DiskImages;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.process.GatewayLauncher;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.skills.SkillInstallResult;
import io.clawhive.worker.skills.SkillUpdate;
import io.clawhive.worker.supervision.HealthProbe;
import io.dropwizard.lifecycle.Managed;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateways of this worker, behind one facade: the operations of tasks and routing, and the
 * worker's start ({@link Reconciler}: toward the desired state stored in {@code instances}, egress
 * rules of every known tenant in place) and stop. The work is done by {@link Claims} (which
 * instance serves a tenant; provisioning through {@link Provisioner}), {@link Lifecycle} (start,
 * stop, restart, removal of one gateway, through the worker's {@link Isolation}), {@link
 * Housekeeping} (pool refill, hibernation, disk quota) and {@link HealthChecks} (probing for
 * CheckHealth).
 */
public final class Fleet implements TenantGateways, Managed {

  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

  /** Extra time on top of the stop grace for all gateways to go at worker stop. */
  static final Duration STOP_ALL_MARGIN = Duration.ofSeconds(5);

  private final FleetSettings settings;
  private final Storage storage;
  private final Clock clock;
  private final Isolation isolation;
  private final Members members;
  private final Provisioner provisioner;
  private final SkillOperations skillOperations;
  private final Claims claims;
  private final Seat seat;
  private final Lifecycle lifecycle;
  private final Seating seating;
  private final Map<Long, Object> tenantLocks = new ConcurrentHashMap<>();
  private final StoringListener listener;
  private final HealthProbe probe;
  private final HttpClient http =
      GatewayClient.newHttpClient(GatewayClient.DEFAULT_CONNECT_TIMEOUT);
  private final ScheduledExecutorService scheduler;
  private final ExecutorService noticeExecutor;
  private final Housekeeping housekeeping;
  private final Optional<DiskImages> disks;
  private volatile TenantNotices notices = TenantNotices.LOGGING;
  private volatile Duration chatTimeout = GatewayClient.DEFAULT_CHAT_TIMEOUT;
  private volatile boolean running;

  /**
   * @param isolation the worker's isolation; it decides whether instances get their own users, so
   *     {@code settings.instanceUserPrefix()} must be present exactly when {@link
   *     Isolation#ownUsers()}
   */
  public Fleet(
      FleetSettings settings,
      Storage storage,
      GatewayLauncher launcher,
      ConfigCheck configCheck,
      SkillSource skills,
      FleetMetrics metrics,
      Isolation isolation,
      Clock clock) {
    this(
        settings,
        storage,
        launcher,
        configCheck,
        skills,
        metrics,
        isolation,
        ModelAccess.fixed(settings.model()),
        clock);
  }

  /**
   * @param modelAccess what each instance's config gets as its model provider (the worker's model
   *     proxy with a credential per instance; {@link ModelAccess#fixed} writes {@code
   *     settings.model()} as it is)
   */
  public Fleet(
      FleetSettings settings,
      Storage storage,
      GatewayLauncher launcher,
      ConfigCheck configCheck,
      SkillSource skills,
      FleetMetrics metrics,
      Isolation isolation,
      ModelAccess modelAccess,
      Clock clock) {
    if (isolation.ownUsers() != settings.instanceUserPrefix().isPresent()) {
      throw new IllegalArgumentException(
          "instanceUserPrefix must be set exactly when isolation mode "
              + isolation.mode().configName()
              + " gives every instance its own user");
    }
    this.settings = settings;
    this.storage = storage;
    this.clock = clock;
    this.isolation = isolation;
    isolation.requireSlots(settings.ports().capacity());
    Optional<SystemUsers> users = settings.instanceUserPrefix().map(SystemUsers::new);
    this.disks = diskImages(isolation, settings);
    this.members = new Members(settings, storage, users);
    this.skillOperations = new SkillOperations(skills, storage, clock);
    this.provisioner =
        new Provisioner(
            settings,
            storage,
            configCheck,
            skillOperations,
            users,
            isolation,
            modelAccess,
            disks,
            clock);
    this.listener =
        new StoringListener(storage, clock, members::get, this::memoryRestarted, metrics);
    this.probe = new HealthProbe(clock);
    this.scheduler = Executors.newScheduledThreadPool(2, daemon("fleet-supervision"));
    this.noticeExecutor = Executors.newSingleThreadExecutor(daemon("fleet-notices"));
    this.housekeeping = new Housekeeping(this, settings, storage, clock, metrics, disks);
    this.seat = new Seat(isolation.singleTenant(), settings.nodeId(), storage, clock);
    this.claims =
        new Claims(
            settings,
            storage,
            members,
            provisioner,
            metrics,
            housekeeping::refillSoon,
            seat,
            clock);
    this.lifecycle =
        new Lifecycle(
            settings,
            storage,
            launcher,
            probe,
            scheduler,
            clock,
            listener,
            isolation,
            users,
            disks,
            provisioner::ensureModelCredential);
    this.seating =
        new Seating(members, claims, lifecycle, m -> deleteInstance(m.id), metrics, clock);
    metrics.watch(members.all());
  }

  /**
   * Admission limits (call before start): at most {@code capacity} live gateways, pool included,
   * and a new one only while {@code memory} reports at least {@code memoryPerGateway} available (0
   * = no memory check; empty = unknown, not checked). Without this call the fleet has no limit.
   */
  public void limitSeats(int capacity, long memoryPerGateway, Supplier<OptionalLong> memory) {
    seating.limit(capacity, memoryPerGateway, memory);
  }

  /** Where notices to tenants go (routing sets a Telegram-backed one). */
  public void setNotices(TenantNotices notices) {
    this.notices = notices;
  }

  /** Time limit of one chat turn through the clients {@link #gatewayFor} hands out. */
  public void setChatTimeout(Duration chatTimeout) {
    this.chatTimeout = Objects.requireNonNull(chatTimeout, "chatTimeout");
  }

  /** Whether users wait for a seat on this worker (the warm pool does not grow meanwhile). */
  public void othersWaitingFrom(BooleanSupplier othersWaiting) {
    seating.othersWaitingFrom(othersWaiting);
  }

  /** Called on the releasing thread whenever a gateway may have become free to take over. */
  public void onSeatMayBeFree(Runnable callback) {
    seating.onSeatMayBeFree(callback);
  }

  public FleetSettings settings() {
    return settings;
  }

  // ---- lifecycle ----

  @Override
  public void start() {
    seat.open();
    Reconciler.Outcome boot =
        new Reconciler(settings, storage, members, lifecycle, isolation, disks, clock).run();
    running = true;
    housekeeping.start();
    LOG.info(
        "fleet of worker {} up: {} instances known, {} started again, {} leftover processes"
            + " reaped; isolation {}{}, pool size {}, ports {}, limits {}, hibernate after {},"
            + " disk quota {} bytes ({}), gateway {}",
        settings.nodeId(),
        boot.known(),
        boot.started(),
        boot.reaped(),
        isolation.mode().configName(),
        seat.single() ? " (single tenant)" : "",
        poolTarget(),
        settings.ports().capacity() + " bases",
        settings.limits(),
        settings.hibernateAfter(),
        settings.diskQuotaBytes(),
        disks.isPresent() ? "a disk image per instance" : "periodic scan",
        settings.realGateway() ? "openclaw from " + settings.runtime().dir() : "configured");
  }

  /** Stops every gateway (desired state kept, so the next start brings them back). */
  @Override
  public void stop() {
    running = false;
    housekeeping.stop();
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (Member member : members.all()) {
      stops.add(lifecycle.stopForShutdown(member));
    }
    Duration wait = settings.policy().stopGrace().plus(STOP_ALL_MARGIN);
    try {
      CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
          .get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("not every gateway stopped within {}: {}", wait, e.toString());
    }
    disks.ifPresent(this::unmountAll);
    scheduler.shutdownNow();
    noticeExecutor.shutdown();
    LOG.info("fleet of worker {} stopped: {} gateways stopped", settings.nodeId(), stops.size());
  }

  /**
   * How many ready pool instances to keep: the configured size; on a single-tenant worker at most
   * one, and none once the seat is taken or a tenant has an instance here (the pool never makes a
   * second gateway).
   */
  public int poolTarget() {
    if (!seat.single()) {
      return settings.poolSize();
    }
    boolean occupied = seat.taken() || members.all().stream().anyMatch(m -> m.tenantId() != null);
    return occupied ? 0 : Math.min(settings.poolSize(), 1);
  }

  public boolean isRunning() {
    return running;
  }

  /** Gateways in a live state (for the heartbeat). */
  public int liveCount() {
    return members.liveCount();
  }

  /** Gateway base ports this worker has left: every instance row keeps one, hibernated too. */
  public int freePorts() {
    return settings
        .ports()
        .free(new HashSet<>(storage.dao(InstanceDao.class).usedPorts(settings.nodeId())));
  }

  // ---- admission ----

  /**
   * Admits a message of the tenant: their gateway is brought up (claimed, provisioned or woken —
   * taking a new seat, after hibernating an idle gateway if need be, only when {@code
   * mayTakeNewSeat}) and leased until {@link #release}, so it is not hibernated meanwhile. False
   * when the tenant needs a seat and gets none: nothing was started and nothing is leased.
   */
  public boolean admit(long tenantId, boolean mayTakeNewSeat) {
    synchronized (tenantLock(tenantId)) {
      return seating.admit(tenantId, UUID.randomUUID().toString(), mayTakeNewSeat).isPresent();
    }
  }

  /** The admitted message is handled: the lease of {@link #admit} ends. */
  public void release(long tenantId) {
    seating.release(tenantId);
  }

  /**
   * Seats a tenant taken from the waiting line: their gateway brought up (room made if need be) and
   * kept from eviction for a while, until their messages come back; false when there is no room.
   */
  public boolean reserve(long tenantId) {
    synchronized (tenantLock(tenantId)) {
      return seating.reserve(tenantId, UUID.randomUUID().toString());
    }
  }

  public HealthCheck healthCheck() {
    return new HealthCheck() {
      @Override
      protected Result check() {
        if (!running) {
          return Result.unhealthy("fleet not running");
        }
        long pooled = members.all().stream().filter(m -> m.pooled() && m.live()).count();
        long failed = members.all().stream().filter(m -> m.state() == InstanceState.FAILED).count();
        return Result.healthy(
            "%d live gateways, pool %d/%d, %d failed", liveCount(), pooled, poolTarget(), failed);
      }
    };
  }

  // ---- TenantGateways ----

  @Override
  public GatewayClient gatewayFor(long tenantId) {
    Member member;
    synchronized (tenantLock(tenantId)) {
      member = seating.seat(tenantId, UUID.randomUUID().toString());
      if (member.state() == InstanceState.FAILED) {
        throw lifecycle.failed(member);
      }
    }
    try {
      if (!member.awaitRunning(settings.readyWait())) {
        if (member.state() == InstanceState.FAILED) {
          throw lifecycle.failed(member);
        }
        throw new GatewayUnavailableException(
            member.id,
            "not ready within " + settings.readyWait() + " (" + member.state() + ")",
            null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GatewayUnavailableException(member.id, "interrupted waiting for ready", e);
    }
    touchMember(member);
    return new GatewayClient(
        http,
        member.id,
        URI.create("http://" + isolation.gatewayHost(member.id) + ":" + member.port),
        member.token,
        chatTimeout,
        clock);
  }

  @Override
  public void touch(long tenantId) {
    members.ofTenant(tenantId).ifPresent(this::touchMember);
  }

  @Override
  public void restart(long tenantId, String reason) {
    synchronized (tenantLock(tenantId)) {
      Member member =
          members
              .ofTenant(tenantId)
              .orElseThrow(
                  () -> new InstanceUnavailableException(null, tenantId, "has no instance"));
      restartOrStart(member, reason);
    }
  }

  @Override
  public Optional<InstanceState> stateOf(long tenantId) {
    Optional<Member> member = members.ofTenant(tenantId);
    if (member.isPresent()) {
      return Optional.of(member.get().state());
    }
    return storage.dao(InstanceDao.class).findByTenant(tenantId).map(Instance::actualState);
  }

  // ---- task operations ----

  /**
   * CreateInstance for a tenant: their instance if it exists (woken if hibernated), else a claimed
   * pool instance, else a new one with id {@code newInstanceId} (the task id, so a redelivered task
   * finds what the first delivery made).
   */
  public String createForTenant(long tenantId, String newInstanceId) {
    synchronized (tenantLock(tenantId)) {
      return seating.seat(tenantId, newInstanceId).id;
    }
  }

  /** CreateInstance without tenant: one more pool instance with id {@code instanceId}. */
  public String createPooled(String instanceId) {
    boolean grown =
        seating.growPool(
            () -> {
              synchronized (members) {
                claims
                    .provisionPooled(instanceId)
                    .filter(member -> member.state() != InstanceState.FAILED)
                    .ifPresent(lifecycle::launch);
              }
            });
    if (!grown) {
      LOG.debug("pool instance {} not created: no free seat, or users wait for one", instanceId);
    }
    return instanceId;
  }

  public void restartInstance(String instanceId, String reason) {
    restartOrStart(members.require(instanceId), reason == null ? "restart requested" : reason);
  }

  /** Stops the process, keeps the files; the next message wakes it. */
  public void hibernateInstance(String instanceId, String reason) {
    lifecycle.hibernate(members.require(instanceId), reason);
  }

  public void wakeInstance(String instanceId) {
    Member member = members.require(instanceId);
    if (member.state() == InstanceState.FAILED) {
      throw lifecycle.failed(member);
    }
    seating.start(member, () -> lifecycle.ensureStarted(member));
  }

  /** Stops the gateway and removes files, egress rules, system user and row. */
  public void deleteInstance(String instanceId) {
    Optional<Instance> row = storage.dao(InstanceDao.class).findById(instanceId);
    if (row.isEmpty()) {
      LOG.info("instance {} is gone already: nothing to delete", instanceId);
      return;
    }
    if (!row.get().workerNode().equals(settings.nodeId())) {
      throw new InstanceUnavailableException(
          instanceId, row.get().tenantId(), "lives on worker " + row.get().workerNode());
    }
    lifecycle.remove(members.of(row.get()));
    provisioner.revokeModelCredential(instanceId);
    storage.dao(InstanceDao.class).delete(instanceId);
    members.remove(instanceId);
    listener.forget(instanceId);
    LOG.info(
        "instance {} deleted (files, egress rules, user, model credential and row)", instanceId);
  }

  public List<SkillInstallResult> installSkills(String instanceId, List<String> slugs) {
    return provisioner.installSkills(members.require(instanceId), slugs);
  }

  /**
   * Updates the instance's skills (or, for stage ROLLBACK, restores the versions it had before the
   * rollout's CANARY stage) on its files, without starting a hibernated gateway; the outcome is
   * recorded and, inside a rollout, reported back to the scheduler.
   */
  public List<SkillUpdate> updateSkills(
      String instanceId, List<String> slugs, Long rolloutId, String stage) {
    Member member;
    try {
      member = members.require(instanceId);
    } catch (InstanceUnavailableException e) {
      skillOperations.reportUnavailable(instanceId, rolloutId, stage, e.getMessage());
      throw e;
    }
    return skillOperations.update(member, slugs, rolloutId, stage, provisioner.wrapper(member));
  }

  /** Probes every live gateway of this worker at once and stores the results. */
  public List<HealthResult> checkHealth() {
    return new HealthChecks(
            probe, storage, clock, settings.policy().probeTimeout(), isolation::gatewayHost)
        .probeAll(members.all().stream().filter(Member::live).toList());
  }

  // ---- package-private, for Housekeeping and tests ----

  /** One housekeeping round now, on the calling thread. */
  void housekeepNow() {
    housekeeping.runOnce();
  }

  Collection<Member> members() {
    return members.all();
  }

  /** Stops {@code member} into {@code target}; completes when the process is gone. */
  CompletableFuture<Void> stopMember(Member member, InstanceState target, String reason) {
    return lifecycle.stop(member, target, reason);
  }

  void notifyTenant(Member member, String text) {
    Long tenant = member.tenantId();
    if (tenant == null) {
      return;
    }
    noticeExecutor.execute(
        () -> {
          try {
            notices.notify(tenant, text);
          } catch (Throwable t) {
            LOG.warn("notice to tenant {} failed: {}", tenant, t.toString());
          }
        });
  }

  // ---- internals ----

  /** A live gateway restarts in place; a stopped one needs a seat to start. */
  private void restartOrStart(Member member, String reason) {
    if (member.live()) {
      lifecycle.restart(member, reason);
    } else {
      seating.start(member, () -> lifecycle.restart(member, reason));
    }
  }

  /**
   * Disk images per instance where they can work: own users (root) and a host with loop devices and
   * e2fsprogs (checked once, and said); elsewhere the periodic scan.
   */
  private static Optional<DiskImages> diskImages(Isolation isolation, FleetSettings settings) {
    if (!isolation.ownUsers()) {
      LOG.info(
          "disk quota: isolation mode {} keeps the periodic scan (disk images need own users)",
          isolation.mode().configName());
      return Optional.empty();
    }
    return DiskImages.detect(settings.instancesDir(), settings.diskQuotaBytes());
  }

  /** Worker stop: images unmounted (the gateways are gone); the next start mounts them again. */
  private void unmountAll(DiskImages images) {
    for (Member member : members.all()) {
      try {
        images.unmount(member.layout);
      } catch (RuntimeException e) {
        LOG.warn("{}: disk image stays mounted: {}", member, e.getMessage());
      }
    }
    images.close();
  }

  private void touchMember(Member member) {
    storage.dao(InstanceDao.class).touchActive(member.id, clock.instant());
  }

  private void memoryRestarted(Member member) {
    notifyTenant(
        member,
        "Your assistant used more memory than it may ("
            + settings.limits().memoryBytes() / (1024 * 1024)
            + " MiB) and was restarted. Your files and conversation are kept.");
  }

  private Object tenantLock(long tenantId) {
    return tenantLocks.computeIfAbsent(tenantId, t -> new Object());
  }

  static ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
