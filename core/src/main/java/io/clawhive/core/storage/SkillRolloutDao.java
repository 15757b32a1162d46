package io.clawhive.core.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Staged skill rollouts ({@code skill_rollouts}) and their per-instance reports. */
public interface SkillRolloutDao {

  String COLUMNS = "id, node_id, started_at, finished_at, status, detail";
  String REPORT_COLUMNS =
      "rollout_id, instance_id, stage, worker_node, status, updated, up_to_date, skipped, failed,"
          + " previous_versions, detail, sent_at, reported_at";

  @SqlUpdate(
      "INSERT INTO skill_rollouts (node_id, started_at, status)"
          + " VALUES (:nodeId, :startedAt, 'RUNNING')")
  @GetGeneratedKeys("id")
  long start(String nodeId, Instant startedAt);

  default void finish(long id, SkillRollout.Status status, String detail, Instant finishedAt) {
    finishRow(id, status, Columns.fit(detail, Columns.ROLLOUT_DETAIL), finishedAt);
  }

  @SqlUpdate(
      "UPDATE skill_rollouts SET status = :status, detail = :detail, finished_at = :finishedAt"
          + " WHERE id = :id")
  boolean finishRow(long id, SkillRollout.Status status, String detail, Instant finishedAt);

  @SqlQuery("SELECT " + COLUMNS + " FROM skill_rollouts ORDER BY started_at DESC, id DESC LIMIT 1")
  Optional<SkillRollout> findLatest();

  @SqlQuery("SELECT " + COLUMNS + " FROM skill_rollouts WHERE id = :id")
  Optional<SkillRollout> findById(long id);

  @SqlUpdate(
      "INSERT INTO skill_rollout_reports ("
          + REPORT_COLUMNS
          + ") VALUES (:rolloutId, :instanceId, :stage, :workerNode, :status, :updated,"
          + " :upToDate, :skipped, :failed, :previousVersions, :detail, :sentAt, :reportedAt)")
  void insertReport(@BindMethods SkillRolloutReport report);

  /** The worker's answer; only a SENT row is filled in (a late answer after the bound is kept). */
  @SqlUpdate(
      "UPDATE skill_rollout_reports SET status = 'DONE', updated = :updated,"
          + " up_to_date = :upToDate, skipped = :skipped, failed = :failed,"
          + " previous_versions = :previousVersions, detail = :detail, reported_at = :reportedAt"
          + " WHERE rollout_id = :rolloutId AND instance_id = :instanceId AND stage = :stage")
  boolean reportRow(@BindMethods SkillRolloutReport report);

  /** {@link #reportRow} with the text columns cut to size. */
  default boolean report(SkillRolloutReport report) {
    return reportRow(
        new SkillRolloutReport(
            report.rolloutId(),
            report.instanceId(),
            report.stage(),
            report.workerNode(),
            SkillRolloutReport.Status.DONE,
            report.updated(),
            report.upToDate(),
            report.skipped(),
            report.failed(),
            Columns.fit(report.previousVersions(), Columns.PREVIOUS_VERSIONS),
            Columns.fit(report.detail(), Columns.SKILL_VERSION_DETAIL),
            report.sentAt(),
            report.reportedAt()));
  }

  /** A report the worker never sent within the bound becomes NOT_REACHED. */
  @SqlUpdate(
      "UPDATE skill_rollout_reports SET status = 'NOT_REACHED', detail = :detail"
          + " WHERE rollout_id = :rolloutId AND stage = :stage AND status = 'SENT'")
  int markUnanswered(long rolloutId, SkillRolloutReport.Stage stage, String detail);

  /** One instance's task could not be sent: NOT_REACHED with the reason. */
  @SqlUpdate(
      "UPDATE skill_rollout_reports SET status = 'NOT_REACHED', detail = :detail"
          + " WHERE rollout_id = :rolloutId AND instance_id = :instanceId AND stage = :stage"
          + " AND status = 'SENT'")
  boolean markNotReached(
      long rolloutId, String instanceId, SkillRolloutReport.Stage stage, String detail);

  @SqlQuery(
      "SELECT "
          + REPORT_COLUMNS
          + " FROM skill_rollout_reports WHERE rollout_id = :rolloutId AND instance_id = :instanceId"
          + " AND stage = :stage")
  Optional<SkillRolloutReport> findReport(
      long rolloutId, String instanceId, SkillRolloutReport.Stage stage);

  @SqlQuery(
      "SELECT "
          + REPORT_COLUMNS
          + " FROM skill_rollout_reports WHERE rollout_id = :rolloutId"
          + " ORDER BY sent_at, stage, instance_id")
  List<SkillRolloutReport> listReports(long rolloutId);
}
