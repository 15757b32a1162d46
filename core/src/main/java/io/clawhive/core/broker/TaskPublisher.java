package io.clawhive.core.broker;

import com.codahale.metrics.MetricRegistry;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import io.clawhive.core.task.Task;
import io.clawhive.core.task.TaskCodec;
import java.time.Duration;
import java.util.Date;

/**
 * Sends tasks to a worker node's queue: persistent, mandatory, and confirmed by the broker before
 * {@link #publish} returns. Thread-safe.
 */
public final class TaskPublisher implements AutoCloseable {

  public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(10);
  static final String CONTENT_TYPE = "application/json";
  static final int PERSISTENT = 2;

  private final BrokerTopology topology;
  private final TaskCodec codec;
  private final TaskMetrics metrics;
  private final ConfirmedPublishing publishing;

  public TaskPublisher(
      Connection connection, BrokerTopology topology, TaskCodec codec, MetricRegistry metrics) {
    this(connection, topology, codec, metrics, DEFAULT_CONFIRM_TIMEOUT);
  }

  public TaskPublisher(
      Connection connection,
      BrokerTopology topology,
      TaskCodec codec,
      MetricRegistry metrics,
      Duration confirmTimeout) {
    this.topology = topology;
    this.codec = codec;
    this.metrics = new TaskMetrics(metrics);
    this.publishing = new ConfirmedPublishing(connection, confirmTimeout);
  }

  /**
   * Publishes {@code task} to node {@code nodeId} and waits for the broker's confirm.
   *
   * @throws TaskPublishException if the broker nacks, does not confirm in time, has no queue for
   *     the node, or cannot be reached
   */
  public void publish(String nodeId, Task task) {
    publishing.publish(topology.exchange(), nodeId, properties(task), codec.encode(task));
    metrics.mark(TaskMetrics.PUBLISHED, task.type());
  }

  static AMQP.BasicProperties properties(Task task) {
    return new AMQP.BasicProperties.Builder()
        .deliveryMode(PERSISTENT)
        .contentType(CONTENT_TYPE)
        .messageId(task.taskId().toString())
        .type(task.type())
        .timestamp(Date.from(task.enqueuedAt()))
        .build();
  }

  @Override
  public void close() {
    publishing.close();
  }
}
