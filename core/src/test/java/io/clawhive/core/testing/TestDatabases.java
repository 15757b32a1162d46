package io.clawhive.core.testing;

import io.clawhive.migrations.Migrator;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Migrated databases for tests. H2 in memory always; PostgreSQL too when {@value #URL_ENV} is set
 * (user from {@value #USER_ENV}, default {@value #DEFAULT_USER}; password from {@value
 * #PASSWORD_ENV}), each in a fresh schema dropped at close, so runs never collide.
 *
 * <p>Run a test on every available database:
 *
 * <pre>{@code
 * @ParameterizedTest
 * @MethodSource("io.clawhive.core.testing.TestDatabases#all")
 * void roundTrip(TestDatabase db) { ... }   // JUnit closes db after the invocation
 * }</pre>
 *
 * Modules using this (through core's test-jar) also need clawhive-migrations on their test
 * classpath.
 */
public final class TestDatabases {

  public static final String URL_ENV = "CLAWHIVE_TEST_DB_URL";
  public static final String USER_ENV = "CLAWHIVE_TEST_DB_USER";
  public static final String PASSWORD_ENV = "CLAWHIVE_TEST_DB_PASSWORD";
  public static final String DEFAULT_USER = "postgres";

  static final String H2 = "h2";
  static final String POSTGRESQL = "postgresql";
  private static final String NAME_PREFIX = "clawhive_test_";

  private TestDatabases() {}

  /** True when {@value #URL_ENV} is set, so PostgreSQL variants run. */
  public static boolean postgresConfigured() {
    String url = System.getenv(URL_ENV);
    return url != null && !url.isBlank();
  }

  /** Every configured database, created one at a time as the stream is consumed. */
  public static Stream<TestDatabase> all() {
    Stream<String> kinds = postgresConfigured() ? Stream.of(H2, POSTGRESQL) : Stream.of(H2);
    return kinds.map(kind -> kind.equals(H2) ? h2() : postgres());
  }

  /** A migrated H2 in-memory database with a unique name, shut down at close. */
  public static TestDatabase h2() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:" + uniqueName() + ";DB_CLOSE_DELAY=-1");
    Migrator.migrate(dataSource);
    return new TestDatabase(H2, dataSource, () -> execute(dataSource, "SHUTDOWN"));
  }

  /** A migrated fresh schema in the PostgreSQL at {@value #URL_ENV}, dropped at close. */
  public static TestDatabase postgres() {
    if (!postgresConfigured()) {
      throw new IllegalStateException(URL_ENV + " is not set; no PostgreSQL for tests");
    }
    String schema = uniqueName();
    PGSimpleDataSource admin = postgresDataSource(null);
    execute(admin, "CREATE SCHEMA " + schema);
    PGSimpleDataSource dataSource = postgresDataSource(schema);
    try {
      Migrator.migrate(dataSource);
    } catch (RuntimeException e) {
      execute(admin, "DROP SCHEMA " + schema + " CASCADE");
      throw e;
    }
    return new TestDatabase(
        POSTGRESQL, dataSource, () -> execute(admin, "DROP SCHEMA " + schema + " CASCADE"));
  }

  private static PGSimpleDataSource postgresDataSource(String schema) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setURL(System.getenv(URL_ENV));
    String user = System.getenv(USER_ENV);
    dataSource.setUser(user == null || user.isBlank() ? DEFAULT_USER : user);
    String password = System.getenv(PASSWORD_ENV);
    if (password != null) {
      dataSource.setPassword(password);
    }
    if (schema != null) {
      dataSource.setCurrentSchema(schema);
    }
    return dataSource;
  }

  private static String uniqueName() {
    return NAME_PREFIX + UUID.randomUUID().toString().replace("-", "").toLowerCase(Locale.ROOT);
  }

  private static void execute(DataSource dataSource, String sql) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("Test database statement failed: " + sql, e);
    }
  }
}
