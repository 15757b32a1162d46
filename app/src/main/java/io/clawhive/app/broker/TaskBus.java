package io.clawhive.app.broker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.clawhive.core.broker.AmqpConnections;
import io.clawhive.core.broker.BrokerHealthCheck;
import io.clawhive.core.broker.BrokerStore;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.broker.EmbeddedBroker;
import io.clawhive.core.broker.TaskConsumerSettings;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.task.TaskCodec;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.Managed;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The node's connection to the task bus: starts the embedded broker when no RabbitMQ is configured,
 * connects, declares the topology and offers a confirmed publisher. Registers its lifecycle and the
 * {@code broker} health check together.
 */
public final class TaskBus implements Managed {
  static final String EMBEDDED_DIR = "broker";
  static final String PASSWORD_FILE = "password";

  private final EmbeddedBroker embedded;
  private final Connection connection;
  private final BrokerTopology topology;
  private final TaskPublisher publisher;
  private final BrokerFactory config;

  private TaskBus(
      BrokerFactory config,
      EmbeddedBroker embedded,
      Connection connection,
      BrokerTopology topology,
      TaskPublisher publisher) {
    this.config = config;
    this.embedded = embedded;
    this.connection = connection;
    this.topology = topology;
    this.publisher = publisher;
  }

  /**
   * Starts (embedded) or reaches (RabbitMQ) the broker now, so that a node without a broker fails
   * at start with a clear line.
   */
  public static TaskBus open(
      BrokerFactory config, Path dataDir, String nodeId, Environment environment) {
    EmbeddedBroker embedded = null;
    String uri = config.uri();
    if (config.embedded()) {
      Path dir = dataDir.resolve(EMBEDDED_DIR);
      String password = EmbeddedBroker.loadOrCreatePassword(dir.resolve(PASSWORD_FILE));
      embedded =
          new EmbeddedBroker(
              BrokerStore.DERBY,
              dir,
              config.getEmbeddedPort(),
              EmbeddedBroker.DEFAULT_USERNAME,
              password);
      embedded.start();
      uri = embedded.amqpUri();
    }
    Connection connection = AmqpConnections.open(uri, "clawhive-" + nodeId);
    BrokerTopology topology = new BrokerTopology();
    try (Channel channel = connection.createChannel()) {
      topology.declare(channel);
    } catch (Exception e) {
      throw new IllegalStateException(
          "cannot declare the task topology on " + BrokerFactory.redact(uri) + ": " + e, e);
    }
    TaskPublisher publisher =
        new TaskPublisher(connection, topology, new TaskCodec(), environment.metrics());
    TaskBus bus = new TaskBus(config, embedded, connection, topology, publisher);
    environment.lifecycle().manage(bus);
    environment.healthChecks().register("broker", new BrokerHealthCheck(connection, topology));
    return bus;
  }

  public Connection connection() {
    return connection;
  }

  public BrokerTopology topology() {
    return topology;
  }

  public TaskPublisher publisher() {
    return publisher;
  }

  /** Consumer settings from config, with {@code parallelism} tenants handled at once. */
  public TaskConsumerSettings consumerSettings(int parallelism) {
    return TaskConsumerSettings.defaults()
        .withPrefetch(config.getPrefetch())
        .withParallelism(parallelism)
        .withRetries(
            config.getMaxAttempts(),
            Duration.ofMillis(config.getRetryBackoff().toMilliseconds()),
            Duration.ofMillis(config.getMaxRetryBackoff().toMilliseconds()));
  }

  /** Everything is already up (see {@link #open}). */
  @Override
  public void start() {}

  @Override
  public void stop() throws Exception {
    publisher.close();
    if (connection.isOpen()) {
      connection.close();
    }
    if (embedded != null) {
      embedded.stop();
    }
  }
}
