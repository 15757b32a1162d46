package io.clawhive.core.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One confirm-mode channel that publishes mandatory messages one at a time and waits for the
 * broker's confirm; a nack, a timeout or a return (no queue bound) raises {@link
 * TaskPublishException}. Thread-safe (serialised); the channel is reopened after a failure.
 */
final class ConfirmedPublishing implements AutoCloseable {

  private final Connection connection;
  private final Duration confirmTimeout;
  private final AtomicReference<String> returned = new AtomicReference<>();
  private Channel channel;

  ConfirmedPublishing(Connection connection, Duration confirmTimeout) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.confirmTimeout = TaskBusChecks.positive(confirmTimeout, "confirmTimeout");
  }

  synchronized void publish(
      String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body) {
    String id = properties.getMessageId();
    try {
      Channel open = channel();
      returned.set(null);
      open.basicPublish(exchange, routingKey, true, properties, body);
      if (!open.waitForConfirms(confirmTimeout.toMillis())) {
        throw new TaskPublishException(
            routingKey, id, "broker nacked the message (Qpid nacks when no queue is bound)", null);
      }
      String returnReason = returned.getAndSet(null);
      if (returnReason != null) {
        throw new TaskPublishException(
            routingKey, id, "unroutable (" + returnReason + "), no queue for it", null);
      }
    } catch (TimeoutException e) {
      discardChannel();
      throw new TaskPublishException(
          routingKey, id, "no confirm within " + confirmTimeout.toMillis() + " ms", e);
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (e instanceof TaskPublishException tpe) {
        throw tpe;
      }
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      discardChannel();
      throw new TaskPublishException(routingKey, id, e.toString(), e);
    }
  }

  private Channel channel() throws IOException {
    if (channel == null || !channel.isOpen()) {
      Channel created = connection.createChannel();
      if (created == null) {
        throw new IOException("no channel available on " + connection);
      }
      created.confirmSelect();
      created.addReturnListener(r -> returned.set(r.getReplyCode() + " " + r.getReplyText()));
      channel = created;
    }
    return channel;
  }

  private void discardChannel() {
    Channel old = channel;
    channel = null;
    if (old != null && old.isOpen()) {
      try {
        old.abort();
      } catch (IOException ignored) {
        // closing a broken channel: nothing more to do
      }
    }
  }

  @Override
  public synchronized void close() {
    discardChannel();
  }
}
