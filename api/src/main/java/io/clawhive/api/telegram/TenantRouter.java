package io.clawhive.api.telegram;

import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.ClusterLockDao;
import io.clawhive.core.storage.ConstraintViolationStorageException;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.core.task.RouteMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Tenant rows and the route task: creates a tenant on first contact (ACTIVE, or WAITLISTED when the
 * cap is reached), and publishes a {@link RouteMessage} to the worker {@link Placement} picks,
 * waiting for the broker's confirm. Shared by Telegram ingress and the HTTP messages endpoint.
 */
public final class TenantRouter {
  private final Storage storage;
  private final Placement placement;
  private final MoveRoutes moves;
  private final TaskPublisher publisher;
  private final int maxInstances;
  private final Clock clock;

  public TenantRouter(
      Storage storage,
      Placement placement,
      TaskPublisher publisher,
      int maxInstances,
      Clock clock) {
    this.storage = storage;
    this.placement = placement;
    this.moves = new MoveRoutes(storage, clock);
    this.publisher = publisher;
    this.maxInstances = maxInstances;
    this.clock = clock;
  }

  public Optional<Tenant> find(long tenant) {
    return storage.dao(TenantDao.class).findById(tenant);
  }

  /**
   * The tenant's row, created if missing: ACTIVE while under the cap ({@code respectCap}), else
   * WAITLISTED. A WAITLISTED tenant is promoted when there is room again. Decisions against the cap
   * are taken in storage, one at a time across the cluster: a transaction that holds the {@link
   * ClusterLockDao#TENANT_CAP} row counts and writes, so api nodes sharing one database never admit
   * more than the cap between them.
   */
  public Tenant admit(long tenant, Long chatId, String username, boolean respectCap) {
    TenantDao dao = storage.dao(TenantDao.class);
    Optional<Tenant> existing = dao.findById(tenant);
    boolean capDecides =
        respectCap
            && maxInstances > 0
            && existing.map(t -> t.status() == TenantStatus.WAITLISTED).orElse(true);
    if (!capDecides) {
      return admit(dao, tenant, chatId, username, respectCap, existing);
    }
    // count-then-insert against the cap must not interleave, on this node or any other
    try {
      return storage.inTransaction(
          tx -> {
            tx.dao(ClusterLockDao.class).lock(ClusterLockDao.TENANT_CAP);
            TenantDao locked = tx.dao(TenantDao.class);
            return admit(locked, tenant, chatId, username, true, locked.findById(tenant));
          });
    } catch (ConstraintViolationStorageException raced) {
      // the same user's row was created meanwhile outside the cap (an admin call): it stands
      return dao.findById(tenant).orElseThrow();
    }
  }

  private Tenant admit(
      TenantDao dao,
      long tenant,
      Long chatId,
      String username,
      boolean respectCap,
      Optional<Tenant> existing) {
    Instant now = clock.instant();
    if (existing.isEmpty()) {
      TenantStatus status = respectCap && full(dao) ? TenantStatus.WAITLISTED : TenantStatus.ACTIVE;
      Tenant row = new Tenant(tenant, chatId, username, newSessionKey(), status, now, now);
      if (respectCap && maxInstances > 0) {
        dao.insert(row); // inside the cap's transaction: a clash must end it (caller reads back)
        return row;
      }
      try {
        dao.insert(row);
      } catch (ConstraintViolationStorageException raced) {
        // a concurrent update of the same user created the row first
      }
      return dao.findById(tenant).orElseThrow();
    }
    Tenant row = existing.get();
    if (row.status() == TenantStatus.WAITLISTED && !(respectCap && full(dao))) {
      dao.updateStatus(tenant, TenantStatus.ACTIVE, now);
      return dao.findById(tenant).orElseThrow();
    }
    if (chatId != null && !chatId.equals(row.chatId())) {
      dao.updateProfile(tenant, chatId, username, now);
    }
    return row;
  }

  /**
   * Publishes the message to the right worker (confirmed); returns the task. A tenant moved off a
   * dead worker follows its move (see {@link MoveRoutes}), everyone else {@link Placement}.
   */
  public RouteMessage route(RouteMessage message) {
    String worker =
        moves.workerFor(message.tenant()).orElseGet(() -> placement.workerFor(message.tenant()));
    publisher.publish(worker, message);
    return message;
  }

  private boolean full(TenantDao dao) {
    return maxInstances > 0 && dao.countByStatus(TenantStatus.ACTIVE) >= maxInstances;
  }

  static String newSessionKey() {
    return "s-" + UUID.randomUUID();
  }
}
