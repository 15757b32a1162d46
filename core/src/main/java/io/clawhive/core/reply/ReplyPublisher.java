package io.clawhive.core.reply;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.clawhive.core.broker.BrokerException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Worker side: sends an {@link HttpReply} to the api node that waits for it, confirmed by the
 * broker. A reply whose api node is gone (no queue bound) is dropped by the broker: nobody waits
 * for it any more. Thread-safe (serialised).
 */
public final class ReplyPublisher implements AutoCloseable {

  public static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);
  private static final String CONTENT_TYPE = "application/json";

  private final Connection connection;
  private final ReplyTopology topology;
  private Channel channel;

  public ReplyPublisher(Connection connection, ReplyTopology topology) {
    this.connection = connection;
    this.topology = topology;
  }

  public synchronized void publish(String apiNodeId, HttpReply reply) {
    try {
      Channel open = channel();
      AMQP.BasicProperties properties =
          new AMQP.BasicProperties.Builder()
              .contentType(CONTENT_TYPE)
              .correlationId(reply.correlationId())
              .build();
      open.basicPublish(topology.exchange(), apiNodeId, false, properties, reply.encode());
      if (!open.waitForConfirms(CONFIRM_TIMEOUT.toMillis())) {
        throw new BrokerException("broker nacked reply " + reply.correlationId(), null);
      }
    } catch (IOException | TimeoutException | RuntimeException e) {
      discard();
      if (e instanceof BrokerException be) {
        throw be;
      }
      throw new BrokerException(
          "cannot publish reply " + reply.correlationId() + " to " + apiNodeId + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BrokerException("interrupted publishing reply " + reply.correlationId(), e);
    }
  }

  private Channel channel() throws IOException {
    if (channel == null || !channel.isOpen()) {
      channel = connection.createChannel();
      topology.declareExchange(channel);
      channel.confirmSelect();
    }
    return channel;
  }

  private void discard() {
    Channel current = channel;
    channel = null;
    if (current != null && current.isOpen()) {
      try {
        current.abort();
      } catch (Exception ignored) {
        // already broken
      }
    }
  }

  @Override
  public synchronized void close() {
    discard();
  }
}
