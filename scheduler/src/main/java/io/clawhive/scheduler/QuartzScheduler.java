package io.clawhive.scheduler;

import io.dropwizard.lifecycle.Managed;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz with its JDBC job store (JobStoreTX, clustered) on the node's own DataSource, so that
 * several scheduler nodes share one set of triggers and each fires once.
 */
public final class QuartzScheduler implements Managed {
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
    } catch (SchedulerException e) {
      throw new IllegalStateException("Quartz could not be set up: " + e.getMessage(), e);
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
