package io.clawhive.core.storage;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Telegram updates already seen ({@code processed_updates}), for exactly-once handling. */
public interface ProcessedUpdateDao extends SqlObject {

  String COLUMNS = "update_id, tenant_id, received_at, task_id, status, answered_at";

  /**
   * Records the update unless its id is already known. Returns true if this call recorded it (so
   * the caller should handle it), false for a duplicate, also under concurrent calls.
   */
  default boolean insertIfAbsent(ProcessedUpdate update) {
    return DuplicateKeys.insertIgnoringDuplicate(getHandle(), () -> insertIfMissing(update)) == 1;
  }

  @SqlUpdate(
      "INSERT INTO processed_updates ("
          + COLUMNS
          + ")"
          + " SELECT :updateId, :tenantId, :receivedAt, :taskId, :status, :answeredAt"
          + " WHERE NOT EXISTS (SELECT 1 FROM processed_updates WHERE update_id = :updateId)")
  int insertIfMissing(@BindMethods ProcessedUpdate update);

  @SqlQuery("SELECT " + COLUMNS + " FROM processed_updates WHERE update_id = :updateId")
  Optional<ProcessedUpdate> findById(long updateId);

  /**
   * Records the route task of an update and moves it from RECEIVED to QUEUED. A worker can answer
   * before the api gets here (the task is consumed as soon as the broker confirms it), so a later
   * status (ANSWERED, FAILED) is never set back.
   */
  @SqlUpdate(
      "UPDATE processed_updates SET task_id = :taskId,"
          + " status = CASE WHEN status = 'RECEIVED' THEN 'QUEUED' ELSE status END"
          + " WHERE update_id = :updateId")
  boolean markQueued(long updateId, String taskId);

  @SqlUpdate(
      "UPDATE processed_updates SET status = 'ANSWERED', answered_at = :at"
          + " WHERE update_id = :updateId")
  boolean markAnswered(long updateId, Instant at);

  /** For IGNORED or FAILED (or any other status change without extra data). */
  @SqlUpdate("UPDATE processed_updates SET status = :status WHERE update_id = :updateId")
  boolean updateStatus(long updateId, UpdateStatus status);

  /** Forgets updates received before {@code cutoff} (Telegram keeps updates at most 24 h). */
  @SqlUpdate("DELETE FROM processed_updates WHERE received_at < :cutoff")
  int deleteReceivedBefore(Instant cutoff);
}
