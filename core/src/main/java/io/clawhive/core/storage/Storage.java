package io.clawhive.core.storage;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Entry point to storage: typed DAOs and transactions over one configured {@link Jdbi}, with every
 * Jdbi/JDBC failure translated into {@link StorageException} (see {@link StorageErrors}).
 */
public final class Storage {

  /** Work done inside one transaction. */
  @FunctionalInterface
  public interface TransactionWork<R> {
    R run(Transaction tx);
  }

  /** A transaction in progress; DAOs taken from it share its connection. */
  public static final class Transaction {
    private final Handle handle;

    private Transaction(Handle handle) {
      this.handle = handle;
    }

    public <D> D dao(Class<D> type) {
      return handle.attach(type);
    }

    /** The underlying handle, for queries that have no DAO method. */
    public Handle handle() {
      return handle;
    }
  }

  private final Jdbi jdbi;

  /** On-demand DAOs are thread-safe (each call takes its own handle): one per type is enough. */
  private final Map<Class<?>, Object> daos = new ConcurrentHashMap<>();

  /** Wraps an already {@link StorageJdbi#configure configured} Jdbi. */
  public Storage(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public static Storage create(DataSource dataSource) {
    return new Storage(StorageJdbi.configure(Jdbi.create(dataSource)));
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  /**
   * An on-demand DAO (a connection per call) whose failures are StorageExceptions; one shared,
   * thread-safe instance per type.
   */
  public <D> D dao(Class<D> type) {
    return type.cast(daos.computeIfAbsent(type, this::translatingDao));
  }

  private <D> D translatingDao(Class<D> type) {
    D target = jdbi.onDemand(type);
    InvocationHandler translating =
        (proxy, method, args) -> {
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException runtime
                ? StorageErrors.translate(runtime)
                : cause;
          }
        };
    return type.cast(
        Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, translating));
  }

  /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
  public <R> R inTransaction(TransactionWork<R> work) {
    try {
      return jdbi.inTransaction(handle -> work.run(new Transaction(handle)));
    } catch (RuntimeException e) {
      throw StorageErrors.translate(e);
    }
  }
}
