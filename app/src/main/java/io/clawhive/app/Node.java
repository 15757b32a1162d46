package io.clawhive.app;

import com.rabbitmq.client.Connection;
import io.clawhive.api.ApiRole;
import io.clawhive.app.broker.BrokerFactory;
import io.clawhive.app.broker.TaskBus;
import io.clawhive.app.ops.PrometheusServlet;
import io.clawhive.app.ops.QueueDepthGauges;
import io.clawhive.core.jobs.JobTrigger;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.StorageJdbi;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.migrations.Migrator;
import io.clawhive.scheduler.SchedulerRole;
import io.clawhive.worker.WorkerRole;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.db.ManagedDataSource;
import io.dropwizard.jdbi3.JdbiFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds one node: storage and the task bus for every role, then the roles it runs. Components are
 * registered with the lifecycle in dependency order, so Dropwizard stops them in reverse.
 */
final class Node {
  private static final Logger LOG = LoggerFactory.getLogger(Node.class);

  private Node() {}

  static void build(ClawhiveConfiguration config, Environment environment) throws IOException {
    String nodeId = NodeIdentity.resolve(config);
    Set<Role> roles = config.roles();
    Path dataDir = DataDir.prepare(config.dataDir());
    LOG.info("clawhive node starting: {}", config.describe(nodeId));
    Clock clock = Clock.systemUTC();
    environment
        .admin()
        .addServlet("prometheus", new PrometheusServlet(environment.metrics()))
        .addMapping("/prometheus");

    DataSourceFactory dataSourceFactory = config.getStorage().dataSourceFactory(dataDir);
    ManagedDataSource dataSource = dataSourceFactory.build(environment.metrics(), "storage");
    Jdbi jdbi = new JdbiFactory().build(environment, dataSourceFactory, dataSource, "storage");
    if (config.getStorage().isMigrateOnStart()) {
      Migrator.migrate(dataSource);
    }
    Storage storage = new Storage(StorageJdbi.configure(jdbi));

    BrokerFactory brokerConfig = config.getBroker();
    TaskBus bus = TaskBus.open(brokerConfig, dataDir, nodeId, environment);
    Connection connection = bus.connection();
    DataDir.lockDown(dataDir);

    Optional<TelegramBotApi> telegram =
        ApiRole.telegramClient(config.getApi().getTelegram(), environment.metrics());
    if (roles.contains(Role.WORKER)) {
      WorkerRole.install(
          environment,
          config.getWorker(),
          nodeId,
          dataDir,
          storage,
          connection,
          bus.topology(),
          bus.consumerSettings(config.getWorker().getTaskConcurrency()),
          telegram,
          clock);
    }
    if (roles.contains(Role.WORKER)) {
      QueueDepthGauges.workerQueue(environment.metrics(), connection, bus.topology(), nodeId);
    }
    JobTrigger jobs = JobTrigger.NONE;
    if (roles.contains(Role.SCHEDULER)) {
      jobs =
          SchedulerRole.install(
              environment,
              config.getScheduler(),
              new SchedulerRole.Context(
                  dataSource,
                  !config.getStorage().isH2(dataDir),
                  nodeId,
                  storage,
                  bus.publisher(),
                  clock,
                  environment.metrics(),
                  connection,
                  bus.topology()));
    }
    if (roles.contains(Role.API)) {
      QueueDepthGauges.deadLetters(environment.metrics(), connection, bus.topology());
      ApiRole.install(
          environment,
          config.getApi(),
          nodeId,
          storage,
          connection,
          bus.topology(),
          bus.publisher(),
          telegram,
          jobs,
          clock);
    }
  }
}
