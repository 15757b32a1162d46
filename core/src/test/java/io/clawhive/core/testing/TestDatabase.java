package io.clawhive.core.testing;

import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.StorageJdbi;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * A migrated database that belongs to one test: an H2 in-memory database with a unique name or a
 * fresh PostgreSQL schema. {@link #close()} drops it. Its {@link #toString()} is the kind ("h2",
 * "postgresql"), which reads well as a parameterized test name.
 */
public final class TestDatabase implements AutoCloseable {

  private final String kind;
  private final DataSource dataSource;
  private final Jdbi jdbi;
  private final Runnable drop;

  TestDatabase(String kind, DataSource dataSource, Runnable drop) {
    this.kind = kind;
    this.dataSource = dataSource;
    this.jdbi = StorageJdbi.configure(Jdbi.create(dataSource));
    this.drop = drop;
  }

  public String kind() {
    return kind;
  }

  public boolean isPostgres() {
    return TestDatabases.POSTGRESQL.equals(kind);
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** A Jdbi already passed through {@link StorageJdbi#configure}. */
  public Jdbi jdbi() {
    return jdbi;
  }

  public Storage storage() {
    return new Storage(jdbi);
  }

  /** Runs a single-value query, e.g. {@code SELECT COUNT(*) FROM tenants}. */
  public long count(String sql) {
    return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }

  @Override
  public void close() {
    drop.run();
  }

  @Override
  public String toString() {
    return kind;
  }
}
