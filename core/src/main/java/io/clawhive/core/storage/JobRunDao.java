package io.clawhive.core.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** History of scheduled job executions ({@code job_runs}). */
public interface JobRunDao {

  String COLUMNS = "id, job_name, node_id, started_at, finished_at, status, detail";

  /** Records a run as RUNNING and returns its id. */
  @SqlUpdate(
      "INSERT INTO job_runs (job_name, node_id, started_at, status)"
          + " VALUES (:jobName, :nodeId, :startedAt, 'RUNNING')")
  @GetGeneratedKeys("id")
  long start(String jobName, String nodeId, Instant startedAt);

  /** Ends a run; {@code detail} is cut to the column's size. */
  default boolean finish(long id, JobRunStatus status, String detail, Instant finishedAt) {
    return finishRow(id, status, Columns.fit(detail, Columns.JOB_RUN_DETAIL), finishedAt);
  }

  @SqlUpdate(
      "UPDATE job_runs SET status = :status, detail = :detail, finished_at = :finishedAt"
          + " WHERE id = :id")
  boolean finishRow(long id, JobRunStatus status, String detail, Instant finishedAt);

  @SqlQuery("SELECT " + COLUMNS + " FROM job_runs WHERE id = :id")
  Optional<JobRun> findById(long id);

  /** The newest runs first. */
  @SqlQuery("SELECT " + COLUMNS + " FROM job_runs ORDER BY started_at DESC, id DESC LIMIT :limit")
  List<JobRun> listRecent(int limit);

  @SqlQuery(
      "SELECT "
          + COLUMNS
          + " FROM job_runs WHERE job_name = :jobName"
          + " ORDER BY started_at DESC, id DESC LIMIT :limit")
  List<JobRun> listRecentByJob(String jobName, int limit);

  @SqlUpdate("DELETE FROM job_runs WHERE started_at < :cutoff")
  int deleteStartedBefore(Instant cutoff);
}
