package io.clawhive.core.storage;

import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.mapper.ColumnMapper;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * Prepares a {@link Jdbi} for clawhive's DAOs: SqlObject support, row records mapped by constructor
 * (snake_case columns to camelCase components) and {@link Instant} stored as TIMESTAMP WITH TIME
 * ZONE in UTC, truncated to {@link #TIMESTAMP_PRECISION} (what PostgreSQL keeps), so a value read
 * back equals the value written on H2 and PostgreSQL alike.
 */
public final class StorageJdbi {

  /** Finest time unit both databases store. */
  public static final ChronoUnit TIMESTAMP_PRECISION = ChronoUnit.MICROS;

  static final List<Class<?>> ROW_TYPES =
      List.of(
          Tenant.class,
          Instance.class,
          WorkerNode.class,
          ProcessedUpdate.class,
          IgnoredUpdate.class,
          JobRun.class,
          HealthResult.class,
          SkillInstall.class,
          SkillVersion.class,
          SkillVersionDao.FleetCount.class,
          SkillRollout.class,
          SkillRolloutReport.class,
          HostSeat.class,
          ModelUsage.class,
          ModelCredentialHolder.class,
          StoredAnswer.class,
          TenantMove.class,
          WorkerLeaseDao.Lease.class,
          AdmissionWait.class,
          AdmissionWaitDao.WaitingTenant.class);

  private StorageJdbi() {}

  public static Jdbi configure(Jdbi jdbi) {
    jdbi.installPlugin(new SqlObjectPlugin());
    jdbi.registerArgument(new InstantArgumentFactory());
    jdbi.registerColumnMapper(Instant.class, instantMapper());
    ROW_TYPES.forEach(type -> jdbi.registerRowMapper(ConstructorMapper.factory(type)));
    return jdbi;
  }

  /** {@code instant} as stored: truncated to {@link #TIMESTAMP_PRECISION}. */
  public static Instant stored(Instant instant) {
    return instant == null ? null : instant.truncatedTo(TIMESTAMP_PRECISION);
  }

  private static ColumnMapper<Instant> instantMapper() {
    return (rs, column, ctx) -> {
      OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
      return value == null ? null : value.toInstant();
    };
  }

  private static final class InstantArgumentFactory extends AbstractArgumentFactory<Instant> {
    InstantArgumentFactory() {
      super(Types.TIMESTAMP_WITH_TIMEZONE);
    }

    @Override
    protected Argument build(Instant value, ConfigRegistry config) {
      OffsetDateTime utc = OffsetDateTime.ofInstant(stored(value), ZoneOffset.UTC);
      return (position, statement, ctx) -> statement.setObject(position, utc);
    }
  }
}
