package io.clawhive.core.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Tenants moved off dead workers ({@code tenant_moves}). */
public interface TenantMoveDao {

  String COLUMNS =
      "tenant_id, from_worker, from_epoch, from_instance, to_worker, moved_at, settled_at,"
          + " notified_at";

  @SqlUpdate(
      "INSERT INTO tenant_moves ("
          + COLUMNS
          + ") VALUES (:tenantId, :fromWorker, :fromEpoch, :fromInstance, :toWorker, :movedAt,"
          + " :settledAt, :notifiedAt)")
  void insert(@BindMethods TenantMove move);

  /**
   * Takes the tenant's instance off {@code worker}: no tenant, desired DELETED, so neither a claim
   * nor the worker's own reconcile ever brings it back. Returns the rows changed (0/1).
   */
  @SqlUpdate(
      "UPDATE instances SET tenant_id = NULL, desired_state = 'DELETED',"
          + " failure_reason = :reason, updated_at = :now, version = version + 1"
          + " WHERE id = :instanceId AND worker_node = :worker AND tenant_id IS NOT NULL")
  int detachInstance(String instanceId, String worker, String reason, Instant now);

  /** The tenant's moves, newest first. */
  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM tenant_moves WHERE tenant_id = :tenantId ORDER BY moved_at DESC, from_epoch DESC")
  List<TenantMove> listByTenant(long tenantId);

  /** The move of {@code tenantId} off {@code worker} at {@code epoch}, if any. */
  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM tenant_moves WHERE tenant_id = :tenantId AND from_worker = :worker"
          + " AND from_epoch = :epoch")
  Optional<TenantMove> find(long tenantId, String worker, long epoch);

  @SqlQuery("SELECT " + COLUMNS + " FROM tenant_moves ORDER BY moved_at, tenant_id")
  List<TenantMove> listAll();

  /** The dead worker's queue held nothing more: its moved tenants are routed as usual again. */
  @SqlUpdate(
      "UPDATE tenant_moves SET settled_at = :now"
          + " WHERE from_worker = :worker AND settled_at IS NULL AND moved_at <= :before")
  int settle(String worker, Instant before, Instant now);

  /**
   * Settles the moves off workers that registered again before their queue was emptied here: they
   * consume it themselves now and pass on what belongs elsewhere.
   */
  @SqlUpdate(
      "UPDATE tenant_moves SET settled_at = :now WHERE settled_at IS NULL AND from_worker IN"
          + " (SELECT node_id FROM workers WHERE status <> 'DEAD')")
  int settleReturned(Instant now);

  /**
   * Marks the tenant told about its move; true only for the one caller that marked it (so the
   * tenant is told once). Only tenants that lost an instance are told.
   */
  @SqlUpdate(
      "UPDATE tenant_moves SET notified_at = :now WHERE tenant_id = :tenantId"
          + " AND notified_at IS NULL AND from_instance IS NOT NULL")
  boolean markNotified(long tenantId, Instant now);
}
