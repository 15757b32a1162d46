package io.clawhive.scheduler.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.clawhive.core.storage.JobRun;
import io.clawhive.core.storage.JobRunDao;
import io.clawhive.core.storage.JobRunStatus;
import io.clawhive.core.testing.TestDatabase;
import io.clawhive.core.testing.TestDatabases;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every run is recorded, a failing one as FAILED with its error and without reaching Quartz. */
class JobRunRecorderTest {
  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

  private final TestDatabase db = TestDatabases.h2();
  private final JobRunRecorder recorder =
      new JobRunRecorder(db.storage(), "node-a", Clock.fixed(NOW, ZoneOffset.UTC));

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void recordsSucceededRunWithSummary() {
    recorder.run("ok-job", () -> "did 3 things");

    JobRun run = onlyRun("ok-job");
    assertThat(run.status()).isEqualTo(JobRunStatus.SUCCEEDED);
    assertThat(run.detail()).isEqualTo("did 3 things");
    assertThat(run.nodeId()).isEqualTo("node-a");
    assertThat(run.startedAt()).isEqualTo(NOW);
    assertThat(run.finishedAt()).isEqualTo(NOW);
  }

  @Test
  void recordsFailedRunWithErrorInsteadOfThrowing() {
    recorder.run(
        "bad-job",
        () -> {
          throw new IllegalStateException("boom");
        });

    JobRun run = onlyRun("bad-job");
    assertThat(run.status()).isEqualTo(JobRunStatus.FAILED);
    assertThat(run.detail()).contains("IllegalStateException").contains("boom");
    assertThat(run.finishedAt()).isEqualTo(NOW);
  }

  private JobRun onlyRun(String job) {
    List<JobRun> runs = db.storage().dao(JobRunDao.class).listRecentByJob(job, 10);
    assertThat(runs).hasSize(1);
    return runs.get(0);
  }
}
