package io.clawhive.scheduler;

import com.codahale.metrics.health.HealthCheck;
import io.dropwizard.core.setup.Environment;
import javax.sql.DataSource;

/**
 * Wires the scheduler role into a node: the clustered Quartz scheduler and its health check. Jobs
 * (nightly skill update, health sweeps) are registered here as they arrive.
 */
public final class SchedulerRole {
  private SchedulerRole() {}

  public static QuartzScheduler install(
      Environment environment,
      SchedulerConfig config,
      DataSource dataSource,
      boolean postgres,
      String nodeId) {
    QuartzScheduler quartz = new QuartzScheduler(config, dataSource, postgres, nodeId);
    environment.lifecycle().manage(quartz);
    environment
        .healthChecks()
        .register(
            "scheduler",
            new HealthCheck() {
              @Override
              protected Result check() throws Exception {
                return quartz.isRunning()
                    ? Result.healthy("Quartz running, %d job(s)", jobCount(quartz))
                    : Result.unhealthy("Quartz is not running");
              }
            });
    return quartz;
  }

  private static int jobCount(QuartzScheduler quartz) throws Exception {
    return quartz.scheduler().getJobKeys(org.quartz.impl.matchers.GroupMatcher.anyGroup()).size();
  }
}
