package io.clawhive.core.storage;

import java.sql.SQLException;
import java.util.function.IntSupplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;

/**
 * Runs an insert that may lose a race against an identical concurrent insert, turning the
 * duplicate-key error into "0 rows". Inside a transaction the insert runs under a savepoint so that
 * the error does not spoil the rest of the transaction (PostgreSQL aborts it otherwise).
 */
final class DuplicateKeys {

  private static final String UNIQUE_VIOLATION = "23505";
  private static final String SAVEPOINT = "clawhive_insert_if_absent";

  private DuplicateKeys() {}

  static int insertIgnoringDuplicate(Handle handle, IntSupplier insert) {
    if (!handle.isInTransaction()) {
      try {
        return insert.getAsInt();
      } catch (JdbiException e) {
        return zeroIfDuplicate(e);
      }
    }
    handle.savepoint(SAVEPOINT);
    try {
      int rows = insert.getAsInt();
      handle.release(SAVEPOINT);
      return rows;
    } catch (JdbiException e) {
      int rows = zeroIfDuplicate(e);
      handle.rollbackToSavepoint(SAVEPOINT);
      return rows;
    }
  }

  private static int zeroIfDuplicate(JdbiException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
        return 0;
      }
    }
    throw e;
  }
}
