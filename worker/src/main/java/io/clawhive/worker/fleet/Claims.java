package io.clawhive.worker.fleet;

import io.clawhive.core.storage.ConstraintViolationStorageException;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.worker.instance.AuthTokens;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds or makes the instance of a tenant on this worker: the tenant's own instance, else a warm
 * pool instance claimed in one atomic storage update (the pool refills soon), else a newly
 * provisioned one. Also provisions new pool instances.
 */
final class Claims {

  private static final Logger LOG = LoggerFactory.getLogger(Claims.class);

  private final FleetSettings settings;
  private final Storage storage;
  private final Members members;
  private final Provisioner provisioner;
  private final FleetMetrics metrics;
  private final Runnable refillSoon;
  private final Seat seat;
  private final Clock clock;

  Claims(
      FleetSettings settings,
      Storage storage,
      Members members,
      Provisioner provisioner,
      FleetMetrics metrics,
      Runnable refillSoon,
      Seat seat,
      Clock clock) {
    this.settings = settings;
    this.storage = storage;
    this.members = members;
    this.provisioner = provisioner;
    this.metrics = metrics;
    this.refillSoon = refillSoon;
    this.seat = seat;
    this.clock = clock;
  }

  /**
   * The tenant's instance (not started here); {@code newInstanceId} names a new one. On a
   * single-tenant worker the tenant must hold (or now claim) the seat, else {@link
   * SeatTakenException} and nothing is made.
   */
  Member ensureInstance(long tenantId, String newInstanceId) {
    Optional<Instance> existing = storage.dao(InstanceDao.class).findByTenant(tenantId);
    if (existing.isPresent()) {
      Instance row = existing.get();
      if (!row.workerNode().equals(settings.nodeId())) {
        throw new InstanceUnavailableException(
            row.id(), tenantId, "lives on worker " + row.workerNode() + ", not here");
      }
      seat.require(tenantId);
      return members.of(row);
    }
    seat.require(tenantId);
    if (seat.single()) {
      awaitStartingSpare(tenantId);
    }
    ensureTenant(tenantId);
    Optional<Instance> claimed;
    try (var timing = metrics.timeClaim()) {
      claimed =
          storage.dao(InstanceDao.class).claimPooled(settings.nodeId(), tenantId, clock.instant());
    }
    if (claimed.isPresent()) {
      Member member = members.of(claimed.get());
      member.assignTo(tenantId);
      metrics.claimed();
      LOG.info("tenant {} claimed pool instance {} (port {})", tenantId, member.id, member.port);
      refillSoon.run();
      return member;
    }
    Member member = provisioner.provision(newInstanceId, tenantId);
    members.add(member);
    metrics.provisioned();
    metrics.coldCreated();
    return member;
  }

  /**
   * One more pool instance with id {@code instanceId}; empty when it exists already (a redelivered
   * task), else the new member (not started; FAILED when its config was rejected).
   */
  Optional<Member> provisionPooled(String instanceId) {
    if (members.contains(instanceId)
        || storage.dao(InstanceDao.class).findById(instanceId).isPresent()) {
      LOG.info("instance {} exists already: nothing to create", instanceId);
      return Optional.empty();
    }
    if (seat.single() && (seat.taken() || !members.all().isEmpty())) {
      throw new InstanceUnavailableException(
          instanceId,
          null,
          "not created: this worker is single-tenant and has its one gateway (or seat) already");
    }
    Member member = provisioner.provision(instanceId, null);
    members.add(member);
    metrics.provisioned();
    return Optional.of(member);
  }

  /**
   * A single-tenant worker has at most one spare: while it is still starting the tenant waits for
   * it (up to the ready wait) rather than getting a second gateway next to it.
   */
  private void awaitStartingSpare(long tenantId) {
    for (Member spare :
        members.all().stream()
            .filter(m -> m.pooled() && m.live() && m.state() != InstanceState.RUNNING)
            .toList()) {
      try {
        spare.awaitRunning(settings.readyWait());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InstanceUnavailableException(
            spare.id, tenantId, "interrupted waiting for the spare to start");
      }
    }
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
}
