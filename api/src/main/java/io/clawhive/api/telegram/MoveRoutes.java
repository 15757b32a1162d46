package io.clawhive.api.telegram;

import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.TenantMove;
import io.clawhive.core.storage.TenantMoveDao;
import io.clawhive.core.storage.WorkerDao;
import io.clawhive.core.storage.WorkerNode;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * Where a tenant moved off a dead worker is routed, before {@link Placement} decides: while the
 * dead worker's queue is still being moved (the move is not settled), through that queue, behind
 * the tenant's older messages, so they are answered in order; after that, while the tenant has no
 * instance yet, to the worker its queued messages went to (not to a second worker that would make
 * another instance for it). Otherwise empty: placement as usual.
 */
final class MoveRoutes {
  private final Storage storage;
  private final Clock clock;

  MoveRoutes(Storage storage, Clock clock) {
    this.storage = storage;
    this.clock = clock;
  }

  Optional<String> workerFor(long tenant) {
    List<TenantMove> moves = storage.dao(TenantMoveDao.class).listByTenant(tenant);
    if (moves.isEmpty()) {
      return Optional.empty();
    }
    TenantMove latest = moves.get(0);
    if (latest.settledAt() == null) {
      return Optional.of(latest.fromWorker());
    }
    if (storage.dao(InstanceDao.class).findByTenant(tenant).isPresent()) {
      return Optional.empty();
    }
    return storage
        .dao(WorkerDao.class)
        .findById(latest.toWorker())
        .filter(w -> w.aliveAt(clock.instant()))
        .map(WorkerNode::nodeId);
  }
}
