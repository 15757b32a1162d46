package io.clawhive.core.storage;

/**
 * A write broke an integrity constraint (SQLState class 23): a duplicate key, a reference to a
 * missing row, a missing value or a value outside the allowed set. The message names the table, the
 * constraint and, where the database reports it, the offending key.
 */
public class ConstraintViolationStorageException extends StorageException {

  private final String table;
  private final String constraint;
  private final String key;
  private final String sqlState;

  public ConstraintViolationStorageException(
      String message,
      String table,
      String constraint,
      String key,
      String sqlState,
      Throwable cause) {
    super(message, cause);
    this.table = table;
    this.constraint = constraint;
    this.key = key;
    this.sqlState = sqlState;
  }

  /** Lower-case table name, or null when the database did not say. */
  public String table() {
    return table;
  }

  /** Lower-case constraint name (or the column for a missing value), or null if unknown. */
  public String constraint() {
    return constraint;
  }

  /** The offending key as {@code (col, ...)=(value, ...)}, or null when not reported. */
  public String key() {
    return key;
  }

  /** SQLState reported by the driver, e.g. 23505 for a duplicate key. */
  public String sqlState() {
    return sqlState;
  }
}
