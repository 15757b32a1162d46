package io.clawhive.scheduler;

import io.dropwizard.lifecycle.Managed;
import io.dropwizard.util.Duration;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz with its JDBC job store (JobStoreTX, clustered) on the node's own DataSource, so that
 * several scheduler nodes share one set of triggers and each fires once.
 */
public final class QuartzScheduler implements Managed, io.clawhive.core.jobs.JobTrigger {
  private static final Logger LOG = LoggerFactory.getLogger(QuartzScheduler.class);
  private static final AtomicInteger DATA_SOURCE_SEQUENCE = new AtomicInteger();
  static final String SCHEDULER_NAME = "clawhive";
  private static final java.time.Duration MAX_IDLE_WAIT = java.time.Duration.ofSeconds(30);

  private final Scheduler scheduler;

  public QuartzScheduler(
      SchedulerConfig config, DataSource dataSource, boolean postgres, String nodeId) {
    String dataSourceName = "clawhive-" + DATA_SOURCE_SEQUENCE.incrementAndGet();
    DBConnectionManager.getInstance()
        .addConnectionProvider(dataSourceName, new DataSourceProvider(dataSource));
    Properties p = new Properties();
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, SCHEDULER_NAME);
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, nodeId);
    p.setProperty("org.quartz.threadPool.threadCount", Integer.toString(config.getThreadCount()));
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        postgres
            ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate"
            : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", dataSourceName);
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty(
        "org.quartz.jobStore.clusterCheckinInterval",
        Long.toString(config.getClusterCheckinInterval().toMilliseconds()));
    p.setProperty(
        "org.quartz.jobStore.misfireThreshold",
        Long.toString(config.getMisfireThreshold().toMilliseconds()));
    // A node that finds no trigger due sleeps this long before it looks again; the node that held
    // the triggers may stop meanwhile, so the others look at least once per check-in interval.
    p.setProperty(
        "org.quartz.scheduler.idleWaitTime",
        Long.toString(
            Math.min(
                MAX_IDLE_WAIT.toMillis(), config.getClusterCheckinInterval().toMilliseconds())));
    p.setProperty("org.quartz.scheduler.threadName", "quartz-" + nodeId);
    try {
      StdSchedulerFactory factory = new StdSchedulerFactory(p);
      this.scheduler = factory.getScheduler();
      // Quartz keeps schedulers in a JVM-wide repository by name; every node object must get its
      // own scheduler (several nodes share one name in a cluster, and tests run several per JVM).
      SchedulerRepository.getInstance().remove(SCHEDULER_NAME);
    } catch (SchedulerException e) {
      throw new IllegalStateException("Quartz could not be set up: " + e.getMessage(), e);
    }
  }

  /** Quartz builds jobs through these suppliers, so jobs get their dependencies by constructor. */
  public void useJobs(Map<Class<? extends Job>, Supplier<Job>> jobs) {
    try {
      scheduler.setJobFactory(
          (bundle, unused) -> {
            Supplier<Job> supplier = jobs.get(bundle.getJobDetail().getJobClass());
            if (supplier == null) {
              throw new SchedulerException(
                  "no factory for job class " + bundle.getJobDetail().getJobClass().getName());
            }
            return supplier.get();
          });
    } catch (SchedulerException e) {
      throw new IllegalStateException("Quartz refused the job factory: " + e.getMessage(), e);
    }
  }

  /**
   * Schedules {@code type} every {@code interval}, once for the whole cluster: every node calls
   * this at start, and a trigger that another node already stored with the same schedule is left as
   * it is (replacing it would move its next fire time and race the node that holds it).
   */
  public void scheduleEvery(String name, Class<? extends Job> type, Duration interval) {
    long millis = interval.toMilliseconds();
    schedule(
        name,
        type,
        TriggerBuilder.newTrigger()
            .withIdentity(name)
            .startAt(Date.from(Instant.now().plusMillis(millis)))
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule()
                    .withIntervalInMilliseconds(millis)
                    .repeatForever()
                    .withMisfireHandlingInstructionNextWithRemainingCount())
            .build(),
        existing ->
            existing instanceof SimpleTrigger simple && simple.getRepeatInterval() == millis);
  }

  /** Schedules {@code type} on a Quartz cron expression, once for the cluster (as above). */
  public void scheduleCron(String name, Class<? extends Job> type, String cron) {
    schedule(
        name,
        type,
        TriggerBuilder.newTrigger()
            .withIdentity(name)
            .withSchedule(
                CronScheduleBuilder.cronSchedule(cron).withMisfireHandlingInstructionDoNothing())
            .build(),
        existing -> existing instanceof CronTrigger c && cron.equals(c.getCronExpression()));
  }

  private void schedule(
      String name, Class<? extends Job> type, Trigger trigger, Predicate<Trigger> unchanged) {
    JobDetail job = JobBuilder.newJob(type).withIdentity(name).storeDurably(false).build();
    try {
      Trigger existing = scheduler.getTrigger(trigger.getKey());
      if (existing != null && unchanged.test(existing)) {
        LOG.debug("job {} already scheduled in the cluster, kept", name);
        return;
      }
      if (existing == null) {
        try {
          scheduler.scheduleJob(job, trigger);
          return;
        } catch (ObjectAlreadyExistsException e) {
          // another node stored it between our look and our insert: theirs is as good as ours
          LOG.debug("job {} scheduled by another node meanwhile", name);
          return;
        }
      }
      LOG.info("job {} has a new schedule, replacing the stored trigger", name);
      scheduler.scheduleJob(job, Set.of(trigger), true);
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot schedule job " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Set<String> jobNames() {
    try {
      return scheduler.getJobKeys(org.quartz.impl.matchers.GroupMatcher.anyGroup()).stream()
          .map(org.quartz.JobKey::getName)
          .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    } catch (SchedulerException e) {
      throw new IllegalStateException("Quartz cannot list its jobs: " + e.getMessage(), e);
    }
  }

  /** A one-shot trigger in the clustered store: one scheduler node of the cluster runs the job. */
  @Override
  public boolean runNow(String name) {
    org.quartz.JobKey key = org.quartz.JobKey.jobKey(name);
    try {
      if (!scheduler.checkExists(key)) {
        return false;
      }
      scheduler.triggerJob(key);
      LOG.info("job {} asked to run now", name);
      return true;
    } catch (SchedulerException e) {
      throw new IllegalStateException("Quartz cannot run " + name + ": " + e.getMessage(), e);
    }
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  @Override
  public void start() throws SchedulerException {
    scheduler.start();
    LOG.info("Quartz scheduler started (JDBC job store, clustered)");
  }

  @Override
  public void stop() throws SchedulerException {
    scheduler.shutdown(true);
  }

  public boolean isRunning() throws SchedulerException {
    return scheduler.isStarted() && !scheduler.isShutdown() && !scheduler.isInStandbyMode();
  }

  private record DataSourceProvider(DataSource dataSource) implements ConnectionProvider {
    @Override
    public Connection getConnection() throws SQLException {
      return dataSource.getConnection();
    }

    @Override
    public void shutdown() {}

    @Override
    public void initialize() {}
  }
}
