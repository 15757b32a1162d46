package io.clawhive.worker.fleet;

import io.clawhive.core.storage.InstanceState;
import java.time.Instant;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The few writes to {@code instances} the fleet needs beyond {@code InstanceDao} (public for Jdbi).
 */
public interface FleetDao {

  int FAILURE_REASON_CHARS = 1024;

  @SqlUpdate(
      "UPDATE instances SET actual_state = :state, version = version + 1, updated_at = :now"
          + " WHERE id = :id")
  boolean setActualState(String id, InstanceState state, Instant now);

  @SqlUpdate(
      "UPDATE instances SET actual_state = :actual, desired_state = :desired,"
          + " version = version + 1, updated_at = :now WHERE id = :id")
  boolean setStates(String id, InstanceState actual, InstanceState desired, Instant now);

  /** FAILED with a reason, pid cleared; consecutive failures counted. */
  default boolean markFailed(String id, String reason, Instant now) {
    String fitted =
        reason != null && reason.length() > FAILURE_REASON_CHARS
            ? reason.substring(0, FAILURE_REASON_CHARS - 3) + "..."
            : reason;
    return markFailedRow(id, fitted, now);
  }

  @SqlUpdate(
      "UPDATE instances SET actual_state = 'FAILED', failure_reason = :reason, pid = NULL,"
          + " consecutive_failures = consecutive_failures + 1, version = version + 1,"
          + " updated_at = :now WHERE id = :id")
  boolean markFailedRow(String id, String reason, Instant now);
}
