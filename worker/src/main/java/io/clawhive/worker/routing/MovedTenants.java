package io.clawhive.worker.routing;

import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.TenantMoveDao;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.task.Task;
import io.clawhive.worker.fleet.TenantNotices;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failover on the consuming side of {@link RouteMessage}, in front of the routing handler:
 *
 * <ul>
 *   <li>a message for a tenant whose instance lives on another worker (it moved while this worker
 *       was declared dead, or a message was placed here before the move) is passed on to that
 *       worker's queue instead of being answered here;
 *   <li>a tenant that lost its instance with a dead worker is told once, before its first answer on
 *       the new worker, that its assistant moved and starts afresh.
 * </ul>
 */
public final class MovedTenants implements TaskHandler {
  private static final Logger LOG = LoggerFactory.getLogger(MovedTenants.class);

  /** What a moved tenant is told, once. */
  public static final String MOVED_NOTICE =
      "Your assistant was moved to another server because the one it ran on stopped responding."
          + " It starts afresh there: files and conversation from before the move are not"
          + " available on the new server.";

  private final String nodeId;
  private final Storage storage;
  private final TaskPublisher publisher;
  private final TenantNotices notices;
  private final TaskHandler routing;
  private final Clock clock;

  public MovedTenants(
      String nodeId,
      Storage storage,
      TaskPublisher publisher,
      TenantNotices notices,
      TaskHandler routing,
      Clock clock) {
    this.nodeId = nodeId;
    this.storage = storage;
    this.publisher = publisher;
    this.notices = notices;
    this.routing = routing;
    this.clock = clock;
  }

  @Override
  public void handle(Task task) throws Exception {
    RouteMessage message = (RouteMessage) task;
    Optional<Instance> owned = storage.dao(InstanceDao.class).findByTenant(message.tenant());
    if (owned.isPresent() && !owned.get().workerNode().equals(nodeId)) {
      String owner = owned.get().workerNode();
      publisher.publish(owner, message);
      LOG.info(
          "message {} of tenant {} passed on to worker {}, which holds its instance",
          message.taskId(),
          message.tenant(),
          owner);
      return;
    }
    if (storage.dao(TenantMoveDao.class).markNotified(message.tenant(), clock.instant())) {
      notices.notify(message.tenant(), MOVED_NOTICE);
    }
    routing.handle(task);
  }
}
