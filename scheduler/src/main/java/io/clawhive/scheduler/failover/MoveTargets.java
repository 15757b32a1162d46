package io.clawhive.scheduler.failover;

import io.clawhive.core.storage.WorkerNode;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the tenants of a dead worker go: each to the live worker with the most free capacity at
 * that moment, counting the tenants already sent there in this round (so a dead worker's tenants
 * spread instead of landing on one worker). Kept apart from the api's placement on purpose: it only
 * picks among workers the failover check just saw beating.
 */
final class MoveTargets {
  private final List<WorkerNode> live;
  private final Map<String, Integer> added = new HashMap<>();

  MoveTargets(List<WorkerNode> live) {
    if (live.isEmpty()) {
      throw new IllegalArgumentException("no live worker to move tenants to");
    }
    this.live = live;
  }

  String next() {
    WorkerNode best =
        live.stream()
            .max(
                Comparator.comparingInt(this::free)
                    .thenComparing(WorkerNode::nodeId, Comparator.reverseOrder()))
            .orElseThrow();
    added.merge(best.nodeId(), 1, Integer::sum);
    return best.nodeId();
  }

  private int free(WorkerNode worker) {
    return worker.capacity() - worker.liveInstances() - added.getOrDefault(worker.nodeId(), 0);
  }
}
