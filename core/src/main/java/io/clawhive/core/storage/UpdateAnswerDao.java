package io.clawhive.core.storage;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.sqlobject.SqlObject;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Answers stored before they are sent ({@code update_answers}), so that a failed send or a
 * redelivered task sends the same answer (only its missing parts) instead of asking the agent
 * again.
 */
public interface UpdateAnswerDao extends SqlObject {

  /**
   * Stores the answer to a recorded update unless one is stored already. Returns false when there
   * is one, or when the update has no {@code processed_updates} row (nothing to key it by).
   */
  default boolean store(long updateId, String answer, Instant at) {
    return DuplicateKeys.insertIgnoringDuplicate(
            getHandle(), () -> insertIfMissing(updateId, answer, at))
        == 1;
  }

  @SqlUpdate(
      "INSERT INTO update_answers (update_id, answer, parts_sent, stored_at)"
          + " SELECT :updateId, :answer, 0, :at FROM processed_updates"
          + " WHERE update_id = :updateId"
          + " AND NOT EXISTS (SELECT 1 FROM update_answers WHERE update_id = :updateId)")
  int insertIfMissing(long updateId, String answer, Instant at);

  @SqlQuery(
      "SELECT update_id, answer, parts_sent, stored_at FROM update_answers"
          + " WHERE update_id = :updateId")
  Optional<StoredAnswer> find(long updateId);

  /** Records that the first {@code parts} parts were accepted; never moves backwards. */
  @SqlUpdate(
      "UPDATE update_answers SET parts_sent = :parts"
          + " WHERE update_id = :updateId AND parts_sent < :parts")
  boolean partsSent(long updateId, int parts);

  @SqlUpdate("DELETE FROM update_answers WHERE update_id = :updateId")
  boolean delete(long updateId);
}
