package io.clawhive.api.admin;

import io.clawhive.api.admin.DeadLettersResource.DeadLetterView;
import io.clawhive.api.admin.InstanceOpsResource.InstanceView;
import io.clawhive.api.admin.WorkersResource.WorkerView;
import io.clawhive.core.broker.DeadLetters;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.JobRun;
import io.clawhive.core.storage.JobRunDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.WorkerDao;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the ops page shows, read at once: a few bounded queries (counts are grouped in the database,
 * lists are cut to {@link #MAX_ROWS}) and a peek at the dead-letter queue. A part that cannot be
 * read is shown as such instead of failing the page.
 */
record OpsSnapshot(
    Instant readAt,
    List<WorkerView> workers,
    Map<String, Long> instancesByState,
    List<InstanceView> failing,
    List<JobRun> jobRuns,
    long deadLetterTotal,
    List<DeadLetterView> deadLetters,
    String deadLetterError,
    List<SkillVersion> skills) {
  static final int MAX_ROWS = 50;
  static final int MAX_DEAD_LETTERS = 20;
  static final int MAX_JOB_RUNS = 12;

  /** How many instances have one version of one skill, by install outcome. */
  record SkillVersion(String slug, String version, String status, long instances) {}

  static OpsSnapshot read(Storage storage, DeadLetters deadLetters, Clock clock) {
    Instant now = clock.instant();
    List<WorkerView> workers =
        storage.dao(WorkerDao.class).listAll().stream().map(w -> WorkerView.of(w, now)).toList();
    long total = -1;
    List<DeadLetterView> letters = List.of();
    String error = null;
    try {
      total = deadLetters.count();
      letters = deadLetters.peek(MAX_DEAD_LETTERS).stream().map(DeadLetterView::of).toList();
    } catch (RuntimeException e) {
      error = "dead-letter queue not readable: " + e.getMessage();
    }
    return new OpsSnapshot(
        now,
        workers,
        instancesByState(storage),
        failing(storage),
        storage.dao(JobRunDao.class).listRecent(MAX_JOB_RUNS),
        total,
        letters,
        error,
        skills(storage));
  }

  private static Map<String, Long> instancesByState(Storage storage) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (InstanceState state : InstanceState.values()) {
      counts.put(state.name(), 0L);
    }
    storage
        .jdbi()
        .useHandle(
            h ->
                h.createQuery(
                        "SELECT actual_state, COUNT(*) AS n FROM instances GROUP BY actual_state")
                    .map((rs, ctx) -> Map.entry(rs.getString("actual_state"), rs.getLong("n")))
                    .forEach(e -> counts.put(e.getKey(), e.getValue())));
    return counts;
  }

  /** Instances in trouble: failed, unhealthy or restarting, or with a failure reason. */
  private static List<InstanceView> failing(Storage storage) {
    return storage
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT "
                            + InstanceDao.COLUMNS
                            + " FROM instances WHERE actual_state IN"
                            + " ('FAILED', 'UNHEALTHY', 'RESTARTING') OR (failure_reason IS NOT"
                            + " NULL AND actual_state <> 'DELETED') ORDER BY updated_at DESC")
                    .setMaxRows(MAX_ROWS)
                    .mapTo(Instance.class)
                    .list())
        .stream()
        .map(InstanceView::of)
        .toList();
  }

  private static List<SkillVersion> skills(Storage storage) {
    return storage
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT slug, version, status, COUNT(*) AS n FROM skill_installs"
                            + " GROUP BY slug, version, status ORDER BY slug, version, status")
                    .setMaxRows(MAX_ROWS * 4)
                    .map(
                        (rs, ctx) ->
                            new SkillVersion(
                                rs.getString("slug"),
                                rs.getString("version"),
                                rs.getString("status"),
                                rs.getLong("n")))
                    .list());
  }
}
