package io.clawhive.app.e2e;

import com.codahale.metrics.MetricRegistry;
import com.rabbitmq.client.Connection;
import io.clawhive.core.broker.AmqpConnections;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.broker.TaskConsumer;
import io.clawhive.core.broker.TaskConsumerSettings;
import io.clawhive.core.reply.ReplyPublisher;
import io.clawhive.core.reply.ReplyTopology;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.worker.node.TaskDispatcher;
import io.clawhive.worker.node.WorkerHeartbeat;
import io.clawhive.worker.routing.RouteMessageHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A worker node as a second process would run it, against the api node's broker and storage: its
 * queue, consumer, heartbeat and the real route handler over {@link StandInTenantGateways}. Only
 * the load test uses it: the node's own worker would start one gateway process per tenant.
 */
final class TestWorker implements AutoCloseable {
  static final int MAX_ATTEMPTS = 3;

  private final Connection connection;
  private final TaskConsumer consumer;
  private final WorkerHeartbeat heartbeat;
  private final ReplyPublisher replies;
  private final ScheduledExecutorService typing = Executors.newSingleThreadScheduledExecutor();

  TestWorker(
      String nodeId,
      String amqpUri,
      Storage storage,
      StandInTenantGateways gateways,
      TelegramBotApi telegram)
      throws Exception {
    connection = AmqpConnections.open(amqpUri, "test-worker");
    BrokerTopology topology = new BrokerTopology();
    replies = new ReplyPublisher(connection, new ReplyTopology(topology));
    TaskDispatcher dispatcher = new TaskDispatcher(nodeId);
    dispatcher.register(
        RouteMessage.class,
        new RouteMessageHandler(
            gateways,
            storage,
            Optional.ofNullable(telegram),
            replies,
            MAX_ATTEMPTS,
            typing,
            new com.codahale.metrics.MetricRegistry(),
            Clock.systemUTC()));
    TaskConsumerSettings settings =
        TaskConsumerSettings.defaults()
            .withPrefetch(256)
            .withParallelism(16)
            .withRetries(MAX_ATTEMPTS, Duration.ofMillis(100), Duration.ofMillis(400))
            .withStopTimeout(Duration.ofSeconds(10));
    consumer =
        new TaskConsumer(
            connection,
            topology,
            nodeId,
            dispatcher,
            new TaskCodec(),
            new MetricRegistry(),
            settings,
            Clock.systemUTC());
    consumer.start();
    heartbeat = new WorkerHeartbeat(storage, nodeId, 1000, Clock.systemUTC());
    heartbeat.start();
  }

  @Override
  public void close() throws Exception {
    consumer.stop();
    heartbeat.stop();
    replies.close();
    typing.shutdownNow();
    if (connection.isOpen()) {
      connection.close();
    }
  }
}
