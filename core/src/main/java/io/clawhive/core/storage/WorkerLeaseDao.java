package io.clawhive.core.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * A worker's lease on its own row ({@code workers.epoch}): the worker takes a new epoch when it
 * registers and writes heartbeats only while its epoch is still the stored one; declaring it dead
 * bumps the epoch, which fences it (its next heartbeat finds nothing to update).
 */
public interface WorkerLeaseDao {

  /**
   * Registers {@code worker} (its heartbeat row, status as given) under a new epoch; returns that
   * epoch. Run inside one transaction (see {@code Storage#inTransaction}).
   */
  static long register(Storage.Transaction tx, WorkerNode worker) {
    tx.dao(WorkerDao.class).upsertHeartbeat(worker);
    WorkerLeaseDao leases = tx.dao(WorkerLeaseDao.class);
    leases.bumpEpoch(worker.nodeId());
    return leases.findEpoch(worker.nodeId()).orElseThrow();
  }

  /**
   * Writes the heartbeat if {@code epoch} is still the worker's; false when the worker was fenced
   * (declared dead) meanwhile.
   */
  @SqlUpdate(
      "UPDATE workers SET host = :w.host, capacity = :w.capacity,"
          + " live_instances = :w.liveInstances, memory_used_bytes = :w.memoryUsedBytes,"
          + " memory_total_bytes = :w.memoryTotalBytes, started_at = :w.startedAt,"
          + " heartbeat_at = :w.heartbeatAt, status = :w.status"
          + " WHERE node_id = :w.nodeId AND epoch = :epoch AND status <> 'DEAD'")
  boolean beatHeld(@BindMethods("w") WorkerNode worker, long epoch);

  @SqlUpdate("UPDATE workers SET epoch = epoch + 1 WHERE node_id = :nodeId")
  void bumpEpoch(String nodeId);

  @SqlQuery("SELECT epoch FROM workers WHERE node_id = :nodeId")
  Optional<Long> findEpoch(String nodeId);

  /**
   * Declares the worker dead if it still holds {@code epoch} and has not beaten since {@code
   * cutoff}: status DEAD, epoch + 1. True for the one caller that declared it.
   */
  @SqlUpdate(
      "UPDATE workers SET status = 'DEAD', epoch = epoch + 1"
          + " WHERE node_id = :nodeId AND epoch = :epoch AND status IN ('UP', 'DRAINING')"
          + " AND heartbeat_at < :cutoff")
  boolean declareDead(String nodeId, long epoch, Instant cutoff);

  /** Workers that are UP or DRAINING but silent since {@code cutoff}, with their epochs. */
  @SqlQuery(
      "SELECT node_id, epoch FROM workers WHERE status IN ('UP', 'DRAINING')"
          + " AND heartbeat_at < :cutoff ORDER BY node_id")
  List<Lease> listSilentSince(Instant cutoff);

  @SqlQuery("SELECT node_id, epoch FROM workers WHERE status = 'DEAD' ORDER BY node_id")
  List<Lease> listDead();

  /** One worker's epoch. */
  record Lease(String nodeId, long epoch) {}
}
