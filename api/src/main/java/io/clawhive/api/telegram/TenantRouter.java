package io.clawhive.api.telegram;

import io.clawhive.core.broker.TaskPublisher;
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
  private final Object capDecisions = new Object();

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
   * are serialized within this node (api nodes sharing one database are not coordinated).
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
    // count-then-insert against the cap must not interleave: different users run in parallel
    synchronized (capDecisions) {
      return admit(dao, tenant, chatId, username, true, dao.findById(tenant));
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
      TenantStatus status = respectCap && full() ? TenantStatus.WAITLISTED : TenantStatus.ACTIVE;
      try {
        dao.insert(new Tenant(tenant, chatId, username, newSessionKey(), status, now, now));
      } catch (ConstraintViolationStorageException raced) {
        // a concurrent update of the same user created the row first
      }
      return dao.findById(tenant).orElseThrow();
    }
    Tenant row = existing.get();
    if (row.status() == TenantStatus.WAITLISTED && !(respectCap && full())) {
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

  private boolean full() {
    return maxInstances > 0
        && storage.dao(TenantDao.class).countByStatus(TenantStatus.ACTIVE) >= maxInstances;
  }

  static String newSessionKey() {
    return "s-" + UUID.randomUUID();
  }
}
