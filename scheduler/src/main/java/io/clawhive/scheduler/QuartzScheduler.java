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
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
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

  /** (Re)schedules {@code type} every {@code interval}; safe to call from every node at start. */
  public void scheduleEvery(String name, Class<? extends Job> type, Duration interval) {
    schedule(
        name,
        type,
        TriggerBuilder.newTrigger()
            .withIdentity(name)
            .startAt(Date.from(Instant.now().plusMillis(interval.toMilliseconds())))
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule()
                    .withIntervalInMilliseconds(interval.toMilliseconds())
                    .repeatForever()
                    .withMisfireHandlingInstructionNextWithRemainingCount())
            .build());
  }

  /** (Re)schedules {@code type} on a Quartz cron expression. */
  public void scheduleCron(String name, Class<? extends Job> type, String cron) {
    schedule(
        name,
        type,
        TriggerBuilder.newTrigger()
            .withIdentity(name)
            .withSchedule(
                CronScheduleBuilder.cronSchedule(cron).withMisfireHandlingInstructionDoNothing())
            .build());
  }

  private void schedule(String name, Class<? extends Job> type, Trigger trigger) {
    JobDetail job = JobBuilder.newJob(type).withIdentity(name).storeDurably(false).build();
    try {
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
