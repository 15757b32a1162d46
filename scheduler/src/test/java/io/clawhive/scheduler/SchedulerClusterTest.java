package io.clawhive.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.JobRun;
import io.clawhive.core.storage.JobRunDao;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.core.testing.TestBrokers;
import io.clawhive.core.testing.TestDatabase;
import io.clawhive.scheduler.jobs.CheckHealthJob;
import io.dropwizard.util.Duration;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two scheduler nodes on one database (H2 always, PostgreSQL when configured): each period of a
 * trigger runs once in the cluster, and with one node stopped the other carries on.
 */
@Tag("infra")
class SchedulerClusterTest {
  private static final Duration PERIOD = Duration.seconds(2);
  private static final int PERIODS_TOGETHER = 6;
  private static final int PERIODS_ALONE = 3;

  private final List<AutoCloseable> started = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.clawhive.core.testing.TestDatabases#all")
  void eachPeriodRunsOnceAndTheSurvivorCarriesOn(TestDatabase db) throws Exception {
    TestBrokers.Running broker = TestBrokers.all().findFirst().orElseThrow().start();
    started.add(broker);
    TaskPublisher publisher =
        new TaskPublisher(
            broker.connect("scheduler-cluster-test"),
            broker.topology(),
            new TaskCodec(),
            new MetricRegistry());
    started.add(publisher);
    QuartzScheduler first = node(db, publisher, "scheduler-a");
    first.start();
    awaitRuns(db, 1);
    // the second node starts while the first one holds the trigger: it must not add its own
    QuartzScheduler second = node(db, publisher, "scheduler-b");
    second.start();
    int before = runs(db).size();
    awaitRuns(db, before + PERIODS_TOGETHER);

    first.stop();
    int whenStopped = runs(db).size();
    awaitRuns(db, whenStopped + PERIODS_ALONE);
    second.stop();

    List<JobRun> runs = runs(db);
    for (JobRun run : runs) {
      System.out.printf("%s %s %s%n", run.startedAt(), run.nodeId(), run.detail());
    }
    long gapMillis = PERIOD.toMilliseconds() / 2;
    for (int i = 1; i < runs.size(); i++) {
      long apart =
          runs.get(i).startedAt().toEpochMilli() - runs.get(i - 1).startedAt().toEpochMilli();
      assertThat(apart)
          .as("runs %d and %d of %s are one period apart, not twice in one period", i - 1, i, runs)
          .isGreaterThanOrEqualTo(gapMillis);
    }
    assertThat(runs.subList(whenStopped, runs.size()))
        .as("after the first node stopped, the second one fires")
        .allSatisfy(r -> assertThat(r.nodeId()).isEqualTo("scheduler-b"));
  }

  private QuartzScheduler node(TestDatabase db, TaskPublisher publisher, String nodeId) {
    SchedulerConfig config = new SchedulerConfig();
    config.setHealthCheckInterval(PERIOD);
    config.setClusterCheckinInterval(Duration.seconds(1));
    // shorter than the period, so a late trigger skips instead of catching up back to back
    config.setMisfireThreshold(Duration.seconds(1));
    QuartzScheduler quartz =
        SchedulerRole.build(
            config,
            new SchedulerRole.Context(
                db.dataSource(),
                db.isPostgres(),
                nodeId,
                db.storage(),
                publisher,
                Clock.systemUTC()));
    started.add(quartz::stop);
    return quartz;
  }

  private static void awaitRuns(TestDatabase db, int atLeast) {
    await()
        .atMost(java.time.Duration.ofSeconds(PERIOD.toSeconds() * (PERIODS_TOGETHER + 10)))
        .until(() -> runs(db).size() >= atLeast);
  }

  private static List<JobRun> runs(TestDatabase db) {
    return db.storage().dao(JobRunDao.class).listRecentByJob(CheckHealthJob.NAME, 1000).stream()
        .sorted(Comparator.comparing(JobRun::startedAt))
        .toList();
  }
}
