package io.clawhive.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.HealthResult;
import io.clawhive.core.storage.HealthResultDao;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.JobRun;
import io.clawhive.core.storage.JobRunDao;
import io.clawhive.core.storage.JobRunStatus;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.WorkerDao;
import io.clawhive.core.storage.WorkerNode;
import io.clawhive.core.storage.WorkerStatus;
import io.clawhive.core.task.CheckHealth;
import io.clawhive.core.task.Task;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.core.task.UpdateSkills;
import io.clawhive.core.testing.TestBrokers;
import io.clawhive.core.testing.TestDatabase;
import io.clawhive.core.testing.TestDatabases;
import io.clawhive.scheduler.jobs.CheckHealthJob;
import io.clawhive.scheduler.jobs.PruneHistoryJob;
import io.clawhive.scheduler.jobs.UpdateSkillsJob;
import io.dropwizard.util.Duration;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The scheduler's jobs on real storage and a real broker, fired by a running Quartz. */
@Tag("infra")
class SchedulerJobsTest {
  private final TaskCodec codec = new TaskCodec();
  private TestBrokers.Running broker;
  private QuartzScheduler quartz;
  private TaskPublisher publisher;

  @AfterEach
  void stop() throws Exception {
    if (quartz != null) {
      quartz.stop();
    }
    if (publisher != null) {
      publisher.close();
    }
    if (broker != null) {
      broker.close();
    }
    // the TestDatabase argument is closed by JUnit (AutoCloseable parameter)
  }

  /** H2 + embedded broker always; PostgreSQL + RabbitMQ when both are configured. */
  static List<Object[]> targets() {
    List<TestDatabase> dbs = TestDatabases.all().toList();
    List<TestBrokers.Target> brokers = TestBrokers.all().toList();
    List<Object[]> pairs = new java.util.ArrayList<>();
    pairs.add(new Object[] {dbs.get(0), brokers.get(0)});
    if (dbs.size() > 1 && brokers.size() > 1) {
      pairs.add(new Object[] {dbs.get(1), brokers.get(1)});
    } else if (dbs.size() > 1) {
      dbs.get(1).close();
    }
    return pairs;
  }

  @ParameterizedTest(name = "{0} + {1}")
  @MethodSource("targets")
  void jobsAskLiveWorkersPublishSkillUpdatesAndPruneHistory(
      TestDatabase db, TestBrokers.Target target) throws Exception {
    broker = target.start();
    Storage storage = db.storage();
    Instant now = Instant.now();
    String live = broker.nodeId("live");
    String stale = broker.nodeId("stale");
    Connection connection = broker.connect("scheduler-test");
    try (Channel channel = connection.createChannel()) {
      broker.topology().declare(channel);
      broker.topology().declareWorkerQueue(channel, live);
      broker.topology().declareWorkerQueue(channel, stale);
    }
    WorkerDao workers = storage.dao(WorkerDao.class);
    workers.upsertHeartbeat(new WorkerNode(live, "h", 4, 1, null, null, now, now, WorkerStatus.UP));
    Instant longAgo = now.minus(1, ChronoUnit.HOURS);
    workers.upsertHeartbeat(
        new WorkerNode(stale, "h", 4, 0, null, null, longAgo, longAgo, WorkerStatus.UP));
    storage
        .dao(InstanceDao.class)
        .insert(Instance.provisioning("i-1", null, live, 20000, "t", null, "/x", now));
    HealthResultDao health = storage.dao(HealthResultDao.class);
    health.insert(
        new HealthResult(0, "i-1", now.minus(30, ChronoUnit.DAYS), true, true, 1L, "old"));
    health.insert(new HealthResult(0, "i-1", now, true, true, 1L, "fresh"));

    SchedulerConfig config = new SchedulerConfig();
    config.setHealthCheckInterval(Duration.seconds(1));
    config.setClusterCheckinInterval(Duration.seconds(1));
    config.getSkillRollout().setReportTimeout(Duration.seconds(1));
    config.getSkillRollout().setPollInterval(Duration.milliseconds(50));
    publisher = new TaskPublisher(connection, broker.topology(), codec, new MetricRegistry());
    quartz =
        SchedulerRole.build(
            config,
            new SchedulerRole.Context(
                db.dataSource(),
                db.isPostgres(),
                "scheduler-test",
                storage,
                publisher,
                Clock.systemUTC()));
    quartz.start();

    await().atMost(java.time.Duration.ofSeconds(30)).until(() -> broker.ready(queue(live)) >= 1);
    assertThat(broker.ready(queue(stale))).as("a stale worker is not asked").isZero();
    assertThat(take(connection, live)).isInstanceOf(CheckHealth.class);
    await()
        .atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(storage.dao(JobRunDao.class).listRecentByJob(CheckHealthJob.NAME, 10))
                    .anySatisfy(
                        r -> {
                          assertThat(r.status()).isEqualTo(JobRunStatus.SUCCEEDED);
                          assertThat(r.detail()).isEqualTo("asked 1 live worker(s)");
                          assertThat(r.nodeId()).isEqualTo("scheduler-test");
                        }));

    quartz.stop(); // no more periodic health checks in the queue from here on
    drain(connection, live);
    runOnce(UpdateSkillsJob.class, config, db, storage, publisher);
    Task update = take(connection, live);
    assertThat(update)
        .isInstanceOfSatisfying(
            UpdateSkills.class,
            u -> {
              assertThat(u.instanceId()).isEqualTo("i-1");
              assertThat(u.slugs()).as("all installed skills").isEmpty();
              assertThat(u.stage()).as("the only instance is the canary").isEqualTo("CANARY");
            });
    assertThat(lastRun(storage, UpdateSkillsJob.NAME))
        .satisfies(
            r -> {
              assertThat(r.status())
                  .as("no worker answered within the bound")
                  .isEqualTo(JobRunStatus.FAILED);
              assertThat(r.detail())
                  .contains("STOPPED: canary i-1 did not report")
                  .contains("not reached 1");
            });

    runOnce(PruneHistoryJob.class, config, db, storage, publisher);
    assertThat(health.listRecent("i-1", 10))
        .extracting(HealthResult::detail)
        .containsExactly("fresh");
    assertThat(lastRun(storage, PruneHistoryJob.NAME).detail())
        .startsWith("deleted 1 health result(s)");
  }

  /** Builds the job as the running scheduler would and executes it once. */
  private static void runOnce(
      Class<? extends org.quartz.Job> type,
      SchedulerConfig config,
      TestDatabase db,
      Storage storage,
      TaskPublisher publisher)
      throws Exception {
    var context =
        new SchedulerRole.Context(
            db.dataSource(),
            db.isPostgres(),
            "scheduler-test",
            storage,
            publisher,
            Clock.systemUTC());
    SchedulerRole.jobs(config, context).get(type).get().execute(null);
  }

  private String queue(String node) {
    return broker.topology().workerQueue(node);
  }

  private Task take(Connection connection, String node) throws Exception {
    try (Channel channel = connection.createChannel()) {
      GetResponse response = channel.basicGet(queue(node), true);
      assertThat(response).as("a task in " + node + "'s queue").isNotNull();
      return codec.decode(response.getBody());
    }
  }

  private void drain(Connection connection, String node) throws Exception {
    try (Channel channel = connection.createChannel()) {
      channel.queuePurge(queue(node));
    }
  }

  private static JobRun lastRun(Storage storage, String job) {
    return storage.dao(JobRunDao.class).listRecentByJob(job, 1).stream()
        .findFirst()
        .orElseThrow(() -> new AssertionError("no run of " + job));
  }
}
