package io.clawhive.core.storage;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Model usage per tenant and UTC day ({@code model_usage}). Counts only grow: {@link #add} adds to
 * the day's row; the caller inserts the row when {@link #add} finds none (see {@link #insert}).
 */
public interface ModelUsageDao {

  String COLUMNS =
      "tenant_id, usage_day, requests, tokens_in, tokens_out, errors, refused, updated_at";

  /** Adds to the tenant's row of {@code day}; false when there is no such row yet. */
  @SqlUpdate(
      "UPDATE model_usage SET requests = requests + :requests, tokens_in = tokens_in + :tokensIn,"
          + " tokens_out = tokens_out + :tokensOut, errors = errors + :errors,"
          + " refused = refused + :refused, updated_at = :now"
          + " WHERE tenant_id = :tenantId AND usage_day = :day")
  boolean add(
      long tenantId,
      LocalDate day,
      long requests,
      long tokensIn,
      long tokensOut,
      long errors,
      long refused,
      Instant now);

  /** The day's first row; a concurrent insert makes this fail on {@code pk_model_usage}. */
  @SqlUpdate(
      "INSERT INTO model_usage ("
          + COLUMNS
          + ") VALUES (:tenantId, :day, :requests, :tokensIn, :tokensOut, :errors, :refused, :now)")
  void insert(
      long tenantId,
      LocalDate day,
      long requests,
      long tokensIn,
      long tokensOut,
      long errors,
      long refused,
      Instant now);

  @SqlQuery(
      "SELECT " + COLUMNS + " FROM model_usage WHERE tenant_id = :tenantId AND usage_day = :day")
  Optional<ModelUsage> find(long tenantId, LocalDate day);

  /** Every tenant's rows from {@code from} to {@code to} (inclusive), by day then tenant. */
  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM model_usage WHERE usage_day BETWEEN :from AND :to"
          + " ORDER BY usage_day, tenant_id")
  List<ModelUsage> listBetween(LocalDate from, LocalDate to);

  /** One tenant's rows from {@code from} to {@code to} (inclusive), by day. */
  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM model_usage WHERE tenant_id = :tenantId AND usage_day BETWEEN :from AND :to"
          + " ORDER BY usage_day")
  List<ModelUsage> listOfTenantBetween(long tenantId, LocalDate from, LocalDate to);
}
