package io.clawhive.core.storage;

import java.time.Instant;
import java.util.List;
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

  /**
   * Records an update that could not be understood as IGNORED, with the reason and the start of its
   * JSON (both cut to their columns), unless its id is already known. Returns true if this call
   * recorded it.
   */
  default boolean insertUnparsable(long updateId, Instant receivedAt, String reason, String raw) {
    String fittedReason = Columns.fit(reason, Columns.UPDATE_REASON);
    String fittedRaw = Columns.fit(raw, Columns.UPDATE_RAW);
    return DuplicateKeys.insertIgnoringDuplicate(
            getHandle(),
            () -> insertUnparsableIfMissing(updateId, receivedAt, fittedReason, fittedRaw))
        == 1;
  }

  @SqlUpdate(
      "INSERT INTO processed_updates (update_id, received_at, status, reason, raw_update)"
          + " SELECT :updateId, :receivedAt, 'IGNORED', :reason, :raw"
          + " WHERE NOT EXISTS (SELECT 1 FROM processed_updates WHERE update_id = :updateId)")
  int insertUnparsableIfMissing(long updateId, Instant receivedAt, String reason, String raw);

  /** IGNORED updates, newest first. */
  @SqlQuery(
      "SELECT update_id, received_at, reason, raw_update FROM processed_updates"
          + " WHERE status = 'IGNORED' ORDER BY received_at DESC, update_id DESC LIMIT :limit")
  List<IgnoredUpdate> listIgnored(int limit);

  /** IGNORED updates that could not be understood (they have a reason), newest first. */
  @SqlQuery(
      "SELECT update_id, received_at, reason, raw_update FROM processed_updates"
          + " WHERE status = 'IGNORED' AND reason IS NOT NULL"
          + " ORDER BY received_at DESC, update_id DESC LIMIT :limit")
  List<IgnoredUpdate> listUnparsable(int limit);

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

  /**
   * Records that an update was declined (its tenant already had its bound of messages waiting): it
   * becomes FAILED with the reason, so a redelivery is never answered. Only an update not yet
   * answered or failed changes; returns whether this one did.
   */
  default boolean markDeclined(long updateId, String reason) {
    return markDeclinedIfOpen(updateId, Columns.fit(reason, Columns.UPDATE_REASON));
  }

  @SqlUpdate(
      "UPDATE processed_updates SET status = 'FAILED', reason = :reason"
          + " WHERE update_id = :updateId AND status IN ('RECEIVED', 'QUEUED')")
  boolean markDeclinedIfOpen(long updateId, String reason);

  /** For IGNORED or FAILED (or any other status change without extra data). */
  @SqlUpdate("UPDATE processed_updates SET status = :status WHERE update_id = :updateId")
  boolean updateStatus(long updateId, UpdateStatus status);

  /**
   * Makes a FAILED update eligible again (a dead-lettered route task is replayed): back to QUEUED,
   * so that the worker handles it instead of skipping it as done. Returns false for any other
   * status (an ANSWERED update stays answered).
   */
  @SqlUpdate(
      "UPDATE processed_updates SET status = 'QUEUED'"
          + " WHERE update_id = :updateId AND status = 'FAILED'")
  boolean reopenFailed(long updateId);

  /** Forgets updates received before {@code cutoff} (Telegram keeps updates at most 24 h). */
  @SqlUpdate("DELETE FROM processed_updates WHERE received_at < :cutoff")
  int deleteReceivedBefore(Instant cutoff);
}
