package io.clawhive.core.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Gateway instances ({@code instances}). Every update bumps {@code version} and sets {@code
 * updated_at}; updates return whether a row changed.
 */
public interface InstanceDao {

  String COLUMNS =
      "id, tenant_id, worker_node, port, desired_state, actual_state, auth_token,"
          + " system_username, base_dir, pid, restart_count, consecutive_failures,"
          + " failure_reason, last_started_at, last_healthy_at, last_active_at, created_at,"
          + " updated_at, version";

  /** States in which an instance holds (or is about to hold) a process and its resources. */
  String LIVE_STATES = "('PROVISIONING', 'STARTING', 'RUNNING', 'UNHEALTHY', 'RESTARTING')";

  String BUMP = "version = version + 1, updated_at = :now";

  /** How often {@link #claimPooled} retries after losing a race for the same pool instance. */
  int MAX_CLAIM_ATTEMPTS = 8;

  @SqlUpdate(
      "INSERT INTO instances ("
          + COLUMNS
          + ") VALUES (:id, :tenantId, :workerNode, :port,"
          + " :desiredState, :actualState, :authToken, :systemUsername, :baseDir, :pid,"
          + " :restartCount, :consecutiveFailures, :failureReason, :lastStartedAt,"
          + " :lastHealthyAt, :lastActiveAt, :createdAt, :updatedAt, :version)")
  void insert(@BindMethods Instance instance);

  @SqlQuery("SELECT " + COLUMNS + " FROM instances WHERE id = :id")
  Optional<Instance> findById(String id);

  @SqlQuery("SELECT " + COLUMNS + " FROM instances WHERE tenant_id = :tenantId")
  Optional<Instance> findByTenant(long tenantId);

  @SqlQuery("SELECT " + COLUMNS + " FROM instances ORDER BY created_at, id")
  List<Instance> listAll();

  @SqlQuery("SELECT " + COLUMNS + " FROM instances WHERE worker_node = :workerNode ORDER BY port")
  List<Instance> listByWorker(String workerNode);

  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM instances WHERE worker_node = :workerNode"
          + " AND desired_state = :desiredState ORDER BY port")
  List<Instance> listByWorkerAndDesiredState(String workerNode, InstanceState desiredState);

  /** Unassigned (warm pool) instances of a worker in the given actual state, oldest first. */
  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM instances WHERE tenant_id IS NULL"
          + " AND worker_node = :workerNode AND actual_state = :actualState"
          + " ORDER BY created_at, id")
  List<Instance> listPooled(String workerNode, InstanceState actualState);

  /**
   * Every port recorded for the worker, whatever the state: a row keeps its port (and the {@code
   * (worker_node, port)} uniqueness) until it is deleted.
   */
  @SqlQuery("SELECT port FROM instances WHERE worker_node = :workerNode ORDER BY port")
  List<Integer> usedPorts(String workerNode);

  /** Instances in a live state ({@link #LIVE_STATES}) on the worker. */
  @SqlQuery(
      "SELECT COUNT(*) FROM instances WHERE worker_node = :workerNode"
          + " AND actual_state IN "
          + LIVE_STATES)
  int countLiveByWorker(String workerNode);

  /** Moves the actual state only if it is still {@code expected} (guards concurrent writers). */
  @SqlUpdate(
      "UPDATE instances SET actual_state = :next, "
          + BUMP
          + " WHERE id = :id AND actual_state = :expected")
  boolean updateActualState(String id, InstanceState expected, InstanceState next, Instant now);

  /** Moves the actual state only if the row is still at {@code expectedVersion}. */
  @SqlUpdate(
      "UPDATE instances SET actual_state = :next, "
          + BUMP
          + " WHERE id = :id AND version = :expectedVersion")
  boolean updateActualStateAtVersion(
      String id, int expectedVersion, InstanceState next, Instant now);

  @SqlUpdate("UPDATE instances SET desired_state = :desired, " + BUMP + " WHERE id = :id")
  boolean updateDesiredState(String id, InstanceState desired, Instant now);

  /** A process was started for the instance. */
  @SqlUpdate(
      "UPDATE instances SET pid = :pid, last_started_at = :at, version = version + 1,"
          + " updated_at = :at WHERE id = :id")
  boolean recordStarted(String id, long pid, Instant at);

  /** The process ended as asked (stop, hibernate): no failure is counted. */
  @SqlUpdate(
      "UPDATE instances SET pid = NULL, version = version + 1, updated_at = :at WHERE id = :id")
  boolean recordExit(String id, Instant at);

  /**
   * The process crashed or a probe failed: clears the pid, counts one more consecutive failure and
   * keeps the reason (cut to the column's size).
   */
  default boolean recordFailure(String id, String reason, Instant at) {
    return recordFailureRow(id, Columns.fit(reason, Columns.FAILURE_REASON), at);
  }

  @SqlUpdate(
      "UPDATE instances SET pid = NULL, failure_reason = :reason,"
          + " consecutive_failures = consecutive_failures + 1, version = version + 1,"
          + " updated_at = :at WHERE id = :id")
  boolean recordFailureRow(String id, String reason, Instant at);

  /** A restart was begun: counts it. */
  @SqlUpdate(
      "UPDATE instances SET restart_count = restart_count + 1, version = version + 1,"
          + " updated_at = :at WHERE id = :id")
  boolean recordRestart(String id, Instant at);

  /** A probe succeeded: resets the consecutive failures (the last reason stays for ops). */
  @SqlUpdate(
      "UPDATE instances SET last_healthy_at = :at, consecutive_failures = 0,"
          + " version = version + 1, updated_at = :at WHERE id = :id")
  boolean recordHealthy(String id, Instant at);

  /** The tenant used the instance (drives hibernation of idle instances). */
  @SqlUpdate("UPDATE instances SET last_active_at = :at WHERE id = :id")
  boolean touchActive(String id, Instant at);

  /** Idle candidates: assigned instances in {@code state} not used since {@code cutoff}. */
  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM instances WHERE tenant_id IS NOT NULL"
          + " AND actual_state = :state AND COALESCE(last_active_at, created_at) < :cutoff"
          + " ORDER BY id")
  List<Instance> listIdleSince(InstanceState state, Instant cutoff);

  @SqlUpdate("DELETE FROM instances WHERE id = :id")
  boolean delete(String id);

  /**
   * Atomically gives the tenant one free warm-pool instance (unassigned, actual and desired state
   * RUNNING) on {@code workerNode}, or on any worker when it is null, and returns it. Each attempt
   * is one UPDATE, so two claimers never get the same instance; a tenant that already has an
   * instance gets nothing (empty). Empty also when no pool instance is free. Concurrent claims for
   * the same tenant are the caller's to serialize: the loser may get a {@link
   * ConstraintViolationStorageException} on {@code uq_instances_tenant}.
   */
  default Optional<Instance> claimPooled(String workerNode, long tenantId, Instant now) {
    for (int attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      if (assignPooled(workerNode, tenantId, now) == 1) {
        return findByTenant(tenantId);
      }
      if (countFreePooled(workerNode) == 0 || findByTenant(tenantId).isPresent()) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  String FREE_POOLED =
      "tenant_id IS NULL AND actual_state = 'RUNNING' AND desired_state = 'RUNNING'"
          + " AND (CAST(:workerNode AS VARCHAR(128)) IS NULL OR worker_node = :workerNode)";

  /** One claim attempt; see {@link #claimPooled}. Returns the number of rows assigned (0/1). */
  @SqlUpdate(
      "UPDATE instances SET tenant_id = :tenantId, last_active_at = :now, "
          + BUMP
          + " WHERE id = (SELECT id FROM instances WHERE "
          + FREE_POOLED
          + " ORDER BY created_at, id FETCH FIRST 1 ROWS ONLY)"
          + " AND tenant_id IS NULL"
          + " AND NOT EXISTS (SELECT 1 FROM instances owned WHERE owned.tenant_id = :tenantId)")
  int assignPooled(String workerNode, long tenantId, Instant now);

  @SqlQuery("SELECT COUNT(*) FROM instances WHERE " + FREE_POOLED)
  int countFreePooled(String workerNode);
}
