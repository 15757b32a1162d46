package io.clawhive.core.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Publishes a message to the dead-letter exchange with headers saying where, why and when. */
final class DeadLetterSender implements AutoCloseable {

  static final String ORIGIN_NODE = "x-clawhive-origin-node";
  static final String REASON = "x-clawhive-reason";
  static final String TASK_TYPE = "x-clawhive-task-type";
  static final String DEAD_LETTERED_AT = "x-clawhive-dead-lettered-at";
  private static final int MAX_REASON_LENGTH = 1000;

  private final BrokerTopology topology;
  private final Clock clock;
  private final ConfirmedPublishing publishing;

  DeadLetterSender(
      Connection connection, BrokerTopology topology, Clock clock, Duration confirmTimeout) {
    this.topology = topology;
    this.clock = clock;
    this.publishing = new ConfirmedPublishing(connection, confirmTimeout);
  }

  void send(
      String originNode,
      String taskType,
      String reason,
      AMQP.BasicProperties original,
      byte[] body) {
    Map<String, Object> headers = new HashMap<>();
    if (original != null && original.getHeaders() != null) {
      headers.putAll(original.getHeaders());
    }
    headers.put(ORIGIN_NODE, originNode);
    headers.put(TASK_TYPE, taskType);
    headers.put(REASON, truncate(reason));
    headers.put(DEAD_LETTERED_AT, clock.instant().toString());
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder()
            .deliveryMode(TaskPublisher.PERSISTENT)
            .contentType(original == null ? null : original.getContentType())
            .messageId(original == null ? null : original.getMessageId())
            .type(original == null ? null : original.getType())
            .timestamp(original == null ? null : original.getTimestamp())
            .headers(headers)
            .build();
    publishing.publish(topology.deadLetterExchange(), originNode, properties, body);
  }

  private static String truncate(String reason) {
    String text = reason == null ? "unknown" : reason;
    return text.length() <= MAX_REASON_LENGTH ? text : text.substring(0, MAX_REASON_LENGTH);
  }

  @Override
  public void close() {
    publishing.close();
  }
}
