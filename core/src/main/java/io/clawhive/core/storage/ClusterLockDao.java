package io.clawhive.core.storage;

import java.util.Optional;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Named locks for decisions that must be taken by one node at a time across the cluster ({@code
 * cluster_locks}). {@link #lock} inside a transaction holds the row until that transaction ends, so
 * a count-then-write under it cannot interleave with another node's (H2 and PostgreSQL both lock
 * the row for {@code SELECT ... FOR UPDATE}).
 */
public interface ClusterLockDao {

  /** The cap on active tenants ({@code api.access.maxInstances}). */
  String TENANT_CAP = "tenant-cap";

  /** Takes the named lock for the rest of the current transaction; throws if it does not exist. */
  default void lock(String name) {
    if (selectForUpdate(name).isEmpty()) {
      throw new StorageException(
          "cluster lock " + name + " is missing (migration 008 not run?)", null);
    }
  }

  @SqlQuery("SELECT name FROM cluster_locks WHERE name = :name FOR UPDATE")
  Optional<String> selectForUpdate(String name);
}
