package io.clawhive.core.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The waiting line for seats ({@code admission_waits}), cluster-wide, in arrival order. A tenant's
 * place is that of their first waiting message. A worker takes a tenant out of the line by claiming
 * all their rows in one conditional update (so two workers never both serve them), then deletes
 * each row once its task is published; a claim older than the caller's {@code stale} cutoff counts
 * as abandoned.
 */
public interface AdmissionWaitDao {

  String COLUMNS = "id, tenant_id, task_id, task, enqueued_at, claimed_by, claimed_at";

  /** Rows still waiting for a worker (never claimed, or claimed before {@code :stale}). */
  String WAITING = "(claimed_by IS NULL OR claimed_at < :stale)";

  /**
   * Adds the message unless the same task waits already (a redelivered task); whether added. Two
   * concurrent adds of one task meet {@code uq_admission_waits_task}: the loser fails and its retry
   * finds the row.
   */
  @SqlUpdate(
      "INSERT INTO admission_waits (tenant_id, task_id, task, enqueued_at)"
          + " SELECT :tenantId, :taskId, :task, :enqueuedAt WHERE NOT EXISTS"
          + " (SELECT 1 FROM admission_waits WHERE task_id = :taskId)")
  boolean insertIfAbsent(long tenantId, String taskId, String task, Instant enqueuedAt);

  @SqlQuery("SELECT COUNT(*) FROM admission_waits WHERE tenant_id = :tenantId")
  int countByTenant(long tenantId);

  /** The tenant's rows no worker has taken out of line (never claimed, or claimed before stale). */
  @SqlQuery("SELECT COUNT(*) FROM admission_waits WHERE tenant_id = :tenantId AND " + WAITING)
  int countWaitingOf(long tenantId, Instant stale);

  @SqlQuery("SELECT COUNT(*) FROM admission_waits")
  int countAll();

  @SqlQuery("SELECT COUNT(DISTINCT tenant_id) FROM admission_waits")
  int countTenants();

  /**
   * The tenant's place in line (1 = next), counting tenants whose first waiting message came
   * earlier; 0 when the tenant does not wait.
   */
  @SqlQuery(
      "SELECT COUNT(DISTINCT tenant_id) FROM admission_waits WHERE id <="
          + " (SELECT MIN(id) FROM admission_waits WHERE tenant_id = :tenantId)")
  int positionOf(long tenantId);

  /**
   * The first waiting tenant that worker {@code nodeId} can serve: one without an instance, or
   * whose instance lives there.
   */
  @SqlQuery(
      "SELECT w.tenant_id FROM admission_waits w WHERE (w.claimed_by IS NULL OR w.claimed_at <"
          + " :stale) AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.tenant_id = w.tenant_id"
          + " AND i.worker_node <> :nodeId) ORDER BY w.id FETCH FIRST 1 ROWS ONLY")
  Optional<Long> findFirstServableBy(String nodeId, Instant stale);

  /** Claims every waiting row of the tenant for {@code nodeId}; the number of rows claimed. */
  @SqlUpdate(
      "UPDATE admission_waits SET claimed_by = :nodeId, claimed_at = :now"
          + " WHERE tenant_id = :tenantId AND "
          + WAITING)
  int claim(long tenantId, String nodeId, Instant now, Instant stale);

  /** Gives claimed rows back to the line (the worker could not seat the tenant after all). */
  @SqlUpdate(
      "UPDATE admission_waits SET claimed_by = NULL, claimed_at = NULL"
          + " WHERE tenant_id = :tenantId AND claimed_by = :nodeId")
  int unclaim(long tenantId, String nodeId);

  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM admission_waits WHERE tenant_id = :tenantId AND claimed_by = :nodeId"
          + " ORDER BY id")
  List<AdmissionWait> listClaimed(long tenantId, String nodeId);

  @SqlQuery("SELECT " + COLUMNS + " FROM admission_waits ORDER BY id")
  List<AdmissionWait> listAll();

  /** One waiting tenant: how many messages, since when; {@code firstId} orders the line. */
  record WaitingTenant(long tenantId, int messages, long firstId, Instant waitingSince) {}

  /** The first {@code limit} waiting tenants, in line order. */
  @SqlQuery(
      "SELECT tenant_id, COUNT(*) AS messages, MIN(id) AS first_id,"
          + " MIN(enqueued_at) AS waiting_since FROM admission_waits GROUP BY tenant_id"
          + " ORDER BY first_id FETCH FIRST :limit ROWS ONLY")
  List<WaitingTenant> listWaitingTenants(int limit);

  @SqlUpdate("DELETE FROM admission_waits WHERE id = :id")
  boolean delete(long id);
}
