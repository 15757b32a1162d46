package io.clawhive.core.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Worker nodes and their heartbeats ({@code workers}). Each node writes only its own row. */
public interface WorkerDao {

  String COLUMNS =
      "node_id, host, capacity, live_instances, memory_used_bytes, memory_total_bytes,"
          + " started_at, heartbeat_at, status";

  /** Inserts the node's row, or overwrites it with this heartbeat. */
  default void upsertHeartbeat(WorkerNode worker) {
    if (!updateHeartbeat(worker)) {
      insert(worker);
    }
  }

  @SqlUpdate(
      "UPDATE workers SET host = :host, capacity = :capacity, live_instances = :liveInstances,"
          + " memory_used_bytes = :memoryUsedBytes, memory_total_bytes = :memoryTotalBytes,"
          + " started_at = :startedAt, heartbeat_at = :heartbeatAt, status = :status"
          + " WHERE node_id = :nodeId")
  boolean updateHeartbeat(@BindMethods WorkerNode worker);

  @SqlUpdate(
      "INSERT INTO workers ("
          + COLUMNS
          + ") VALUES (:nodeId, :host, :capacity, :liveInstances,"
          + " :memoryUsedBytes, :memoryTotalBytes, :startedAt, :heartbeatAt, :status)")
  void insert(@BindMethods WorkerNode worker);

  @SqlQuery("SELECT " + COLUMNS + " FROM workers WHERE node_id = :nodeId")
  Optional<WorkerNode> findById(String nodeId);

  @SqlQuery("SELECT " + COLUMNS + " FROM workers ORDER BY node_id")
  List<WorkerNode> listAll();

  /** Workers whose last heartbeat is newer than {@code cutoff}, by node id. */
  @SqlQuery("SELECT " + COLUMNS + " FROM workers WHERE heartbeat_at > :cutoff ORDER BY node_id")
  List<WorkerNode> listLive(Instant cutoff);

  /** The workers that are {@link WorkerNode#aliveAt alive} at {@code now}, by node id. */
  default List<WorkerNode> listAlive(Instant now) {
    return listLive(now.minus(WorkerNode.ALIVE_WITHIN)).stream()
        .filter(worker -> worker.aliveAt(now))
        .toList();
  }

  @SqlUpdate("UPDATE workers SET status = :status WHERE node_id = :nodeId")
  boolean updateStatus(String nodeId, WorkerStatus status);

  /**
   * Records how many gateway base ports the worker has left (every instance row keeps one, a
   * hibernated instance too), so that placement sends no new tenant to a worker without a port.
   */
  @SqlUpdate("UPDATE workers SET free_ports = :freePorts WHERE node_id = :nodeId")
  boolean updateFreePorts(String nodeId, int freePorts);

  /** The worker's last reported free ports; empty when never reported (or no such worker). */
  default Optional<Integer> findFreePorts(String nodeId) {
    return findFreePortsOrMinusOne(nodeId).filter(ports -> ports >= 0);
  }

  @SqlQuery("SELECT COALESCE(free_ports, -1) FROM workers WHERE node_id = :nodeId")
  Optional<Integer> findFreePortsOrMinusOne(String nodeId);
}
