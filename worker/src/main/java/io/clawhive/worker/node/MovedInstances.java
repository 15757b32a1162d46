package io.clawhive.worker.node;

import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.fleet.Fleet;
import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After this worker found itself fenced while it ran (declared dead, its tenants moved): stops the
 * gateways of the instances taken off it (no tenant, desired DELETED), keeping their files and the
 * DELETED mark, so that nothing of a moved tenant keeps running here.
 */
final class MovedInstances implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(MovedInstances.class);
  private static final Set<InstanceState> STOPPED =
      EnumSet.of(InstanceState.HIBERNATED, InstanceState.DELETED, InstanceState.FAILED);

  private final Storage storage;
  private final Fleet fleet;
  private final String nodeId;
  private final Clock clock;

  MovedInstances(Storage storage, Fleet fleet, String nodeId, Clock clock) {
    this.storage = storage;
    this.fleet = fleet;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  @Override
  public void run() {
    InstanceDao instances = storage.dao(InstanceDao.class);
    int stopped = 0;
    for (Instance row : instances.listByWorker(nodeId)) {
      if (row.tenantId() != null
          || row.desiredState() != InstanceState.DELETED
          || STOPPED.contains(row.actualState())) {
        continue;
      }
      try {
        fleet.hibernateInstance(row.id(), "moved: this worker was declared dead");
        instances.updateDesiredState(row.id(), InstanceState.DELETED, clock.instant());
        stopped++;
      } catch (RuntimeException e) {
        LOG.warn("could not stop moved instance {}: {}", row.id(), e.toString());
      }
    }
    if (stopped > 0) {
      LOG.info("stopped {} gateway(s) of tenants that moved off this worker", stopped);
    }
  }
}
