package io.clawhive.core.storage;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Probe results per instance ({@code health_results}). */
public interface HealthResultDao {

  String COLUMNS = "id, instance_id, checked_at, live, ready, latency_ms, detail";

  /** Stores the result (its {@code id} is ignored; detail cut to size) and returns the new id. */
  default long insert(HealthResult result) {
    return insertRow(
        new HealthResult(
            result.id(),
            result.instanceId(),
            result.checkedAt(),
            result.live(),
            result.ready(),
            result.latencyMs(),
            Columns.fit(result.detail(), Columns.HEALTH_DETAIL)));
  }

  @SqlUpdate(
      "INSERT INTO health_results (instance_id, checked_at, live, ready, latency_ms, detail)"
          + " VALUES (:instanceId, :checkedAt, :live, :ready, :latencyMs, :detail)")
  @GetGeneratedKeys("id")
  long insertRow(@BindMethods HealthResult result);

  /** The instance's newest results first. */
  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM health_results WHERE instance_id = :instanceId"
          + " ORDER BY checked_at DESC, id DESC LIMIT :limit")
  List<HealthResult> listRecent(String instanceId, int limit);

  @SqlUpdate("DELETE FROM health_results WHERE checked_at < :cutoff")
  int deleteCheckedBefore(Instant cutoff);
}
