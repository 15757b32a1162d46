package io.clawhive.core.broker;

import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.rabbitmq.client.Connection;
import io.clawhive.core.task.CheckHealth;
import io.clawhive.core.task.Task;
import io.clawhive.core.task.TaskCodec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A consumer whose broker goes away and comes back consumes again without a restart. */
class TaskConsumerRecoveryTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NODE = "recovering-node";

  @TempDir Path dir;

  @Test
  void consumerRecoversAfterTheBrokerRestarts() throws Exception {
    TaskCodec codec = new TaskCodec();
    MetricRegistry metrics = new MetricRegistry();
    BrokerTopology topology = new BrokerTopology();
    List<Task> handled = new CopyOnWriteArrayList<>();
    EmbeddedBroker first = new EmbeddedBroker(BrokerStore.MEMORY, dir, 0, "u", "p");
    first.start();
    int port = first.port();
    Connection connection = AmqpConnections.open(first.amqpUri(), "recovering");
    TaskConsumer consumer =
        new TaskConsumer(
            connection,
            topology,
            NODE,
            handled::add,
            codec,
            metrics,
            TaskConsumerSettings.defaults(),
            Clock.systemUTC());
    consumer.start();
    first.stop();

    try (EmbeddedBroker second = new EmbeddedBroker(BrokerStore.MEMORY, dir, port, "u", "p")) {
      second.start();
      try (Connection publishing = AmqpConnections.open(second.amqpUri(), "publisher");
          TaskPublisher publisher = new TaskPublisher(publishing, topology, codec, metrics)) {
        CheckHealth task = CheckHealth.of(NODE, Instant.now());
        // the queue exists again only once the consumer's connection has recovered
        await()
            .atMost(WAIT)
            .ignoreException(TaskPublishException.class)
            .until(
                () -> {
                  publisher.publish(NODE, task);
                  return true;
                });
        await().atMost(WAIT).until(() -> handled.contains(task));
      } finally {
        consumer.stop();
        connection.abort();
      }
    }
  }
}
