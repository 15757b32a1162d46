package io.clawhive.api.telegram;

import io.clawhive.core.ClawhiveException;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.WorkerDao;
import io.clawhive.core.storage.WorkerNode;
import java.time.Clock;
import java.util.Comparator;
import java.util.Optional;

/**
 * Which worker gets a tenant's message: the worker that owns the tenant's instance; else the live
 * worker (heartbeat within {@link WorkerNode#ALIVE_WITHIN}, status UP) with the most free capacity,
 * which then claims a warm-pool instance or creates one.
 */
public final class Placement {
  /** Same liveness rule as the workers admin view: three missed 10 s heartbeats. */
  private final Storage storage;

  private final Clock clock;

  public Placement(Storage storage, Clock clock) {
    this.storage = storage;
    this.clock = clock;
  }

  /** No worker can take the message now; the caller retries later. */
  public static final class NoWorkerException extends ClawhiveException {
    NoWorkerException(long tenant) {
      super(
          "no live worker to place tenant "
              + tenant
              + " (no heartbeat within "
              + WorkerNode.ALIVE_WITHIN
              + ")");
    }
  }

  public String workerFor(long tenant) {
    Optional<Instance> owned = storage.dao(InstanceDao.class).findByTenant(tenant);
    if (owned.isPresent()) {
      return owned.get().workerNode();
    }
    return storage.dao(WorkerDao.class).listAlive(clock.instant()).stream()
        .max(
            Comparator.comparingInt(Placement::free)
                .thenComparing(WorkerNode::nodeId, Comparator.reverseOrder()))
        .map(WorkerNode::nodeId)
        .orElseThrow(() -> new NoWorkerException(tenant));
  }

  private static int free(WorkerNode worker) {
    return worker.capacity() - worker.liveInstances();
  }
}
