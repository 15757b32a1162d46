package io.clawhive.worker.fleet;

import com.codahale.metrics.health.HealthCheck;
import io.clawhive.core.storage.ConstraintViolationStorageException;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.worker.gateway.GatewayClient;
import io.clawhive.worker.gateway.GatewayUnavailableException;
import io.clawhive.worker.instance.AuthTokens;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.process.GatewayLauncher;
import io.clawhive.worker.process.LaunchSpec;
import io.clawhive.worker.process.LeftoverReaper;
import io.clawhive.worker.process.PidFile;
import io.clawhive.worker.skills.SkillInstallResult;
import io.clawhive.worker.supervision.GatewaySupervisor;
import io.clawhive.worker.supervision.HealthProbe;
import io.dropwizard.lifecycle.Managed;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateways of this worker: provisions them, claims warm-pool instances for tenants, starts,
 * stops, wakes, restarts and deletes them, and reconciles toward the desired state stored in {@code
 * instances} at start. Background work (pool refill, hibernation, disk quota) is in {@link
 * Housekeeping}; probing for CheckHealth in {@link HealthChecks}.
 */
public final class Fleet implements TenantGateways, Managed {

  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

  /** Extra time on top of the stop grace for all gateways to go at worker stop. */
  static final Duration STOP_ALL_MARGIN = Duration.ofSeconds(5);

  private final FleetSettings settings;
  private final Storage storage;
  private final GatewayLauncher launcher;
  private final Clock clock;
  private final Provisioner provisioner;
  private final Optional<SystemUsers> users;
  private final FleetMetrics metrics;
  private final Map<String, Member> members = new ConcurrentHashMap<>();
  private final Map<Long, Object> tenantLocks = new ConcurrentHashMap<>();
  private final StoringListener listener;
  private final HealthProbe probe;
  private final HttpClient http =
      GatewayClient.newHttpClient(GatewayClient.DEFAULT_CONNECT_TIMEOUT);
  private final ScheduledExecutorService scheduler;
  private final ExecutorService noticeExecutor;
  private final Housekeeping housekeeping;
  private volatile TenantNotices notices = TenantNotices.LOGGING;
  private volatile boolean running;

  public Fleet(
      FleetSettings settings,
      Storage storage,
      GatewayLauncher launcher,
      ConfigCheck configCheck,
      SkillSource skills,
      FleetMetrics metrics,
      Clock clock) {
    this.settings = settings;
    this.storage = storage;
    this.launcher = launcher;
    this.clock = clock;
    this.metrics = metrics;
    this.users = settings.instanceUserPrefix().map(SystemUsers::new);
    this.provisioner = new Provisioner(settings, storage, configCheck, skills, users, clock);
    this.listener = new StoringListener(storage, clock, members::get, this::memoryRestarted);
    this.probe = new HealthProbe(clock);
    this.scheduler = Executors.newScheduledThreadPool(2, daemon("fleet-supervision"));
    this.noticeExecutor = Executors.newSingleThreadExecutor(daemon("fleet-notices"));
    this.housekeeping = new Housekeeping(this, settings, storage, clock);
    metrics.watch(members.values());
  }

  /** Where notices to tenants go (routing sets a Telegram-backed one). */
  public void setNotices(TenantNotices notices) {
    this.notices = notices;
  }

  public FleetSettings settings() {
    return settings;
  }

  // ---- lifecycle ----

  @Override
  public void start() {
    List<PidFile> reaped =
        new LeftoverReaper(settings.policy().stopGrace())
            .reap(InstanceLayout.pidFilesUnder(settings.instancesDir()));
    int started = 0;
    for (Instance row : storage.dao(InstanceDao.class).listByWorker(settings.nodeId())) {
      Member member = adopt(row);
      if (row.desiredState() == InstanceState.RUNNING
          && row.actualState() != InstanceState.FAILED) {
        launch(member);
        started++;
      }
    }
    running = true;
    housekeeping.start();
    LOG.info(
        "fleet of worker {} up: {} instances known, {} started again, {} leftover processes"
            + " reaped; pool size {}, ports {}, limits {}, hibernate after {}, disk quota {}"
            + " bytes, gateway {}",
        settings.nodeId(),
        members.size(),
        started,
        reaped.size(),
        settings.poolSize(),
        settings.ports().capacity() + " bases",
        settings.limits(),
        settings.hibernateAfter(),
        settings.diskQuotaBytes(),
        settings.realGateway() ? "openclaw from " + settings.runtime().dir() : "configured");
  }

  /** Stops every gateway (desired state kept, so the next start brings them back). */
  @Override
  public void stop() {
    running = false;
    housekeeping.stop();
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (Member member : members.values()) {
      synchronized (member) {
        if (member.supervisor != null && member.live()) {
          member.stopping = member.supervisor.stop(InstanceState.HIBERNATED, "worker stopping");
        }
        stops.add(member.stopping);
      }
    }
    Duration wait = settings.policy().stopGrace().plus(STOP_ALL_MARGIN);
    try {
      CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new))
          .get(wait.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      LOG.warn("not every gateway stopped within {}: {}", wait, e.toString());
    }
    scheduler.shutdownNow();
    noticeExecutor.shutdown();
    LOG.info("fleet of worker {} stopped: {} gateways stopped", settings.nodeId(), stops.size());
  }

  public boolean isRunning() {
    return running;
  }

  /** Gateways in a live state (for the heartbeat). */
  public int liveCount() {
    return (int) members.values().stream().filter(Member::live).count();
  }

  public HealthCheck healthCheck() {
    return new HealthCheck() {
      @Override
      protected Result check() {
        if (!running) {
          return Result.unhealthy("fleet not running");
        }
        long pooled = members.values().stream().filter(m -> m.pooled() && m.live()).count();
        long failed =
            members.values().stream().filter(m -> m.state() == InstanceState.FAILED).count();
        return Result.healthy(
            "%d live gateways, pool %d/%d, %d failed",
            liveCount(), pooled, settings.poolSize(), failed);
      }
    };
  }

  // ---- TenantGateways ----

  @Override
  public GatewayClient gatewayFor(long tenantId) {
    Member member;
    synchronized (tenantLock(tenantId)) {
      member = ensureInstance(tenantId, UUID.randomUUID().toString());
      ensureStarted(member);
    }
    try {
      if (!member.awaitRunning(settings.readyWait())) {
        if (member.state() == InstanceState.FAILED) {
          throw failed(member);
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
        java.net.URI.create("http://" + GatewayClient.LOOPBACK_HOST + ":" + member.port),
        member.token,
        GatewayClient.DEFAULT_CHAT_TIMEOUT,
        GatewayClient.DEFAULT_PROBE_TIMEOUT,
        clock);
  }

  @Override
  public void touch(long tenantId) {
    findByTenant(tenantId).ifPresent(this::touchMember);
  }

  @Override
  public void restart(long tenantId, String reason) {
    synchronized (tenantLock(tenantId)) {
      Member member =
          findByTenant(tenantId)
              .orElseThrow(
                  () -> new InstanceUnavailableException(null, tenantId, "has no instance"));
      restart(member, reason);
    }
  }

  @Override
  public Optional<InstanceState> stateOf(long tenantId) {
    Optional<Member> member = findByTenant(tenantId);
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
      Member member = ensureInstance(tenantId, newInstanceId);
      if (member.state() != InstanceState.FAILED) {
        ensureStarted(member);
      }
      return member.id;
    }
  }

  /** CreateInstance without tenant: one more pool instance with id {@code instanceId}. */
  public String createPooled(String instanceId) {
    synchronized (members) {
      if (members.containsKey(instanceId)
          || storage.dao(InstanceDao.class).findById(instanceId).isPresent()) {
        LOG.info("instance {} exists already: nothing to create", instanceId);
        return instanceId;
      }
      Member member = provisioner.provision(instanceId, null);
      members.put(instanceId, member);
      metrics.provisioned();
      if (member.state() != InstanceState.FAILED) {
        launch(member);
      }
      return instanceId;
    }
  }

  public void restartInstance(String instanceId, String reason) {
    restart(member(instanceId), reason == null ? "restart requested" : reason);
  }

  /** Stops the process, keeps the files; the next message wakes it. */
  public void hibernateInstance(String instanceId, String reason) {
    Member member = member(instanceId);
    storage
        .dao(FleetDao.class)
        .setStates(member.id, member.state(), InstanceState.HIBERNATED, clock.instant());
    stopMember(member, InstanceState.HIBERNATED, reason).join();
  }

  public void wakeInstance(String instanceId) {
    Member member = member(instanceId);
    if (member.state() == InstanceState.FAILED) {
      throw failed(member);
    }
    ensureStarted(member);
  }

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
    Member member = members.computeIfAbsent(instanceId, id -> memberOf(row.get()));
    stopMember(member, InstanceState.DELETED, "delete requested").join();
    member.layout.delete();
    member.user.ifPresent(u -> users.ifPresent(us -> us.delete(u)));
    storage.dao(InstanceDao.class).delete(instanceId);
    members.remove(instanceId);
    listener.forget(instanceId);
    LOG.info("instance {} deleted (files, user and row)", instanceId);
  }

  public List<SkillInstallResult> installSkills(String instanceId, List<String> slugs) {
    return provisioner.installSkills(member(instanceId), slugs);
  }

  public List<SkillInstallResult> updateSkills(String instanceId, List<String> slugs) {
    return provisioner.updateSkills(member(instanceId), slugs);
  }

  /** Probes every live gateway of this worker at once and stores the results. */
  public List<io.clawhive.core.storage.HealthResult> checkHealth() {
    return new HealthChecks(probe, storage, clock, settings.policy().probeTimeout())
        .probeAll(members.values().stream().filter(Member::live).toList());
  }

  // ---- package-private, for Housekeeping and tests ----

  /** One housekeeping round now, on the calling thread. */
  void housekeepNow() {
    housekeeping.runOnce();
  }

  Collection<Member> members() {
    return members.values();
  }

  /** Stops {@code member} into {@code target}; completes when the process is gone. */
  CompletableFuture<Void> stopMember(Member member, InstanceState target, String reason) {
    synchronized (member) {
      if (member.supervisor == null) {
        persistStopped(member, target, reason);
        return CompletableFuture.completedFuture(null);
      }
      member.stopping = member.supervisor.stop(target, reason);
      return member.stopping;
    }
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

  void launch(Member member) {
    synchronized (member) {
      if (member.supervisor == null) {
        LaunchSpec spec =
            LaunchSpec.forInstance(
                member.layout,
                member.port,
                settings.command(member.port),
                settings.runtime(),
                member.user,
                settings.limits());
        member.supervisor =
            new GatewaySupervisor(
                spec, launcher, probe, scheduler, clock, settings.policy(), listener);
      }
      member.stopping.join();
      member.supervisor.start();
    }
  }

  // ---- internals ----

  private Member ensureInstance(long tenantId, String newInstanceId) {
    Optional<Instance> existing = storage.dao(InstanceDao.class).findByTenant(tenantId);
    if (existing.isPresent()) {
      Instance row = existing.get();
      if (!row.workerNode().equals(settings.nodeId())) {
        throw new InstanceUnavailableException(
            row.id(), tenantId, "lives on worker " + row.workerNode() + ", not here");
      }
      return members.computeIfAbsent(row.id(), id -> memberOf(row));
    }
    ensureTenant(tenantId);
    Optional<Instance> claimed =
        storage.dao(InstanceDao.class).claimPooled(settings.nodeId(), tenantId, clock.instant());
    if (claimed.isPresent()) {
      Member member = members.computeIfAbsent(claimed.get().id(), id -> memberOf(claimed.get()));
      member.assignTo(tenantId);
      metrics.claimed();
      LOG.info("tenant {} claimed pool instance {} (port {})", tenantId, member.id, member.port);
      housekeeping.refillSoon();
      return member;
    }
    Member member = provisioner.provision(newInstanceId, tenantId);
    members.put(member.id, member);
    metrics.provisioned();
    return member;
  }

  private void ensureTenant(long tenantId) {
    TenantDao tenants = storage.dao(TenantDao.class);
    if (tenants.findById(tenantId).isPresent()) {
      return;
    }
    var now = clock.instant();
    try {
      tenants.insert(
          new Tenant(tenantId, null, null, AuthTokens.newToken(), TenantStatus.ACTIVE, now, now));
      LOG.info("tenant {} created (ACTIVE)", tenantId);
    } catch (ConstraintViolationStorageException e) {
      LOG.debug("tenant {} was created meanwhile", tenantId);
    }
  }

  /** Starts a hibernated/stopped member (desired RUNNING); FAILED stays failed. */
  private void ensureStarted(Member member) {
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

  private void restart(Member member, String reason) {
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

  private void touchMember(Member member) {
    storage.dao(InstanceDao.class).touchActive(member.id, clock.instant());
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

  private void memoryRestarted(Member member) {
    notifyTenant(
        member,
        "Your assistant used more memory than it may ("
            + settings.limits().memoryBytes() / (1024 * 1024)
            + " MiB) and was restarted. Your files and conversation are kept.");
  }

  private Optional<Member> findByTenant(long tenantId) {
    for (Member member : members.values()) {
      if (Long.valueOf(tenantId).equals(member.tenantId())) {
        return Optional.of(member);
      }
    }
    return storage
        .dao(InstanceDao.class)
        .findByTenant(tenantId)
        .filter(row -> row.workerNode().equals(settings.nodeId()))
        .map(row -> members.computeIfAbsent(row.id(), id -> memberOf(row)));
  }

  private Member member(String instanceId) {
    Member member = members.get(instanceId);
    if (member != null) {
      return member;
    }
    Instance row =
        storage
            .dao(InstanceDao.class)
            .findById(instanceId)
            .orElseThrow(
                () -> new InstanceUnavailableException(instanceId, null, "does not exist"));
    if (!row.workerNode().equals(settings.nodeId())) {
      throw new InstanceUnavailableException(
          instanceId, row.tenantId(), "lives on worker " + row.workerNode());
    }
    return members.computeIfAbsent(instanceId, id -> memberOf(row));
  }

  private Member adopt(Instance row) {
    Member member = memberOf(row);
    members.put(row.id(), member);
    return member;
  }

  private Member memberOf(Instance row) {
    Optional<SystemUser> user =
        row.systemUsername() == null
            ? Optional.empty()
            : users.flatMap(u -> u.find(row.systemUsername()));
    return new Member(
        row.id(),
        row.tenantId(),
        row.port(),
        row.authToken(),
        InstanceLayout.of(settings.instancesDir(), row.id()),
        user,
        row.actualState());
  }

  private InstanceUnavailableException failed(Member member) {
    String reason =
        storage
            .dao(InstanceDao.class)
            .findById(member.id)
            .map(Instance::failureReason)
            .orElse("unknown");
    return new InstanceUnavailableException(
        member.id, member.tenantId(), "FAILED and needs an operator: " + reason);
  }

  private Object tenantLock(long tenantId) {
    return tenantLocks.computeIfAbsent(tenantId, t -> new Object());
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
