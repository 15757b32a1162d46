package io.clawhive.migrations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.ds.PGSimpleDataSource;

@Tag("infra")
class MigratorTest {

  private static final String PG_URL_ENV = "CLAWHIVE_TEST_DB_URL";
  private static final String PG_USER_ENV = "CLAWHIVE_TEST_DB_USER";
  private static final String PG_DEFAULT_USER = "postgres";

  static Stream<String> databases() {
    return System.getenv(PG_URL_ENV) == null ? Stream.of("h2") : Stream.of("h2", "postgresql");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void migratesOnceAndSecondRunChangesNothing(String kind) throws Exception {
    try (ScratchDatabase db = ScratchDatabase.create(kind)) {
      assertThat(Migrator.pendingChangeSets(db.dataSource)).isNotEmpty();

      Migrator.migrate(db.dataSource);
      List<String> tables = db.tables();
      int appliedAfterFirst = db.count("SELECT COUNT(*) FROM databasechangelog");
      Migrator.migrate(db.dataSource);

      assertThat(Migrator.pendingChangeSets(db.dataSource)).isEmpty();
      assertThat(db.count("SELECT COUNT(*) FROM databasechangelog")).isEqualTo(appliedAfterFirst);
      assertThat(tables)
          .contains(
              "tenants",
              "instances",
              "workers",
              "processed_updates",
              "telegram_offsets",
              "job_runs",
              "health_results",
              "skill_installs",
              "host_seats",
              "qrtz_job_details",
              "qrtz_triggers",
              "qrtz_fired_triggers",
              "qrtz_locks",
              "qrtz_scheduler_state");
      // only the change sets for this database ran: app tables + one quartz set
      assertThat(db.count("SELECT COUNT(*) FROM databasechangelog WHERE id LIKE '002-quartz-%'"))
          .isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void identityColumnsGenerateKeys(String kind) throws Exception {
    try (ScratchDatabase db = ScratchDatabase.create(kind)) {
      Migrator.migrate(db.dataSource);
      db.execute(
          "INSERT INTO job_runs (job_name, node_id, started_at, status)"
              + " VALUES ('a', 'n', CURRENT_TIMESTAMP, 'RUNNING')");
      db.execute(
          "INSERT INTO job_runs (job_name, node_id, started_at, status)"
              + " VALUES ('b', 'n', CURRENT_TIMESTAMP, 'RUNNING')");
      assertThat(db.count("SELECT COUNT(DISTINCT id) FROM job_runs")).isEqualTo(2);
    }
  }

  @Test
  void unreachableDatabaseFailsWithExceptionNotExit() {
    JdbcDataSource missing = new JdbcDataSource();
    missing.setURL("jdbc:h2:mem:x;IFEXISTS=TRUE");
    assertThatThrownBy(() -> Migrator.migrate(missing))
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("Cannot connect");
  }

  /** A database nobody else uses: H2 in memory, or a fresh PostgreSQL schema dropped at close. */
  private static final class ScratchDatabase implements AutoCloseable {
    final DataSource dataSource;
    private final String pgSchema;

    private ScratchDatabase(DataSource dataSource, String pgSchema) {
      this.dataSource = dataSource;
      this.pgSchema = pgSchema;
    }

    static ScratchDatabase create(String kind) throws SQLException {
      String name = "mig_" + UUID.randomUUID().toString().replace("-", "");
      if (kind.equals("h2")) {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
        return new ScratchDatabase(h2, null);
      }
      PGSimpleDataSource admin = pg(null);
      try (Connection c = admin.getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE SCHEMA " + name);
      }
      return new ScratchDatabase(pg(name), name);
    }

    private static PGSimpleDataSource pg(String schema) {
      PGSimpleDataSource ds = new PGSimpleDataSource();
      ds.setURL(System.getenv(PG_URL_ENV));
      String user = System.getenv(PG_USER_ENV);
      ds.setUser(user == null ? PG_DEFAULT_USER : user);
      if (schema != null) {
        ds.setCurrentSchema(schema);
      }
      return ds;
    }

    List<String> tables() throws SQLException {
      List<String> names = new ArrayList<>();
      try (Connection c = dataSource.getConnection();
          ResultSet rs =
              c.getMetaData().getTables(null, c.getSchema(), null, new String[] {"TABLE"})) {
        while (rs.next()) {
          names.add(rs.getString("TABLE_NAME").toLowerCase());
        }
      }
      return names;
    }

    int count(String sql) throws SQLException {
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getInt(1);
      }
    }

    void execute(String sql) throws SQLException {
      try (Connection c = dataSource.getConnection();
          Statement s = c.createStatement()) {
        s.execute(sql);
      }
    }

    @Override
    public void close() throws SQLException {
      if (pgSchema == null) {
        execute("SHUTDOWN");
      } else {
        try (Connection c = pg(null).getConnection();
            Statement s = c.createStatement()) {
          s.execute("DROP SCHEMA " + pgSchema + " CASCADE");
        }
      }
    }
  }
}
