package io.clawhive.migrations;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.changelog.ChangeSet;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.exception.LiquibaseException;
import liquibase.resource.ClassLoaderResourceAccessor;

/**
 * Applies clawhive's Liquibase changelog programmatically. Never exits the JVM: failures surface as
 * {@link MigrationException}. Uses the same classpath file name ({@value #CHANGELOG}) as
 * dropwizard-migrations' {@code MigrationsBundle}, so both record identical change-set paths in
 * {@code DATABASECHANGELOG}.
 */
public final class Migrator {

  /** Master changelog at the classpath root. */
  public static final String CHANGELOG = "migrations.xml";

  /**
   * Liquibase settings applied to every run: no usage analytics (they would call out to the
   * internet) and no banner in the log.
   */
  static final Map<String, Object> LIQUIBASE_SETTINGS =
      Map.of("liquibase.analytics.enabled", false, "liquibase.showBanner", false);

  private Migrator() {}

  /** Applies every pending change set. Running it again on a migrated database does nothing. */
  public static void migrate(DataSource dataSource) {
    run(
        dataSource,
        "migrate",
        liquibase -> {
          liquibase.update(new Contexts(), new LabelExpression());
          return null;
        });
  }

  /**
   * Returns the ids ({@code file::id::author}) of change sets not yet applied, in the order they
   * would run; empty when the database is up to date.
   */
  public static List<String> pendingChangeSets(DataSource dataSource) {
    return run(
        dataSource,
        "read the migration status of",
        liquibase ->
            liquibase.listUnrunChangeSets(new Contexts(), new LabelExpression()).stream()
                .map(ChangeSet::toString)
                .toList());
  }

  private interface LiquibaseWork<T> {
    T run(Liquibase liquibase) throws LiquibaseException;
  }

  private static <T> T runOn(Connection connection, LiquibaseWork<T> work) throws Exception {
    return Scope.child(
        LIQUIBASE_SETTINGS,
        () -> {
          Database database =
              DatabaseFactory.getInstance()
                  .findCorrectDatabaseImplementation(new JdbcConnection(connection));
          Liquibase liquibase =
              new Liquibase(
                  CHANGELOG,
                  new ClassLoaderResourceAccessor(Migrator.class.getClassLoader()),
                  database);
          return work.run(liquibase);
        });
  }

  private static <T> T run(DataSource dataSource, String action, LiquibaseWork<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      // Liquibase turns auto-commit off; a pooled connection must go back as it came, or every
      // later statement on it stays in a transaction that is never committed
      boolean autoCommit = connection.getAutoCommit();
      try {
        return runOn(connection, work);
      } finally {
        connection.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new MigrationException("Cannot connect to the database to " + action + " it", e);
    } catch (MigrationException e) {
      throw e;
    } catch (Exception e) {
      throw new MigrationException(
          "Could not " + action + " the database with " + CHANGELOG + ": " + e.getMessage(), e);
    }
  }
}
