package io.clawhive.core.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes mandatory messages on one confirm-mode channel with confirms pipelined: many callers
 * publish concurrently and each waits for its own confirm, without holding a lock while it waits. A
 * nack, a timeout, a return (no queue bound) or a channel loss raises {@link TaskPublishException}
 * for the publishes it concerns. Thread-safe; the channel is reopened after a failure.
 */
final class ConfirmedPublishing implements AutoCloseable {

  private final Connection connection;
  private final Duration confirmTimeout;
  private ConfirmChannel channel;

  ConfirmedPublishing(Connection connection, Duration confirmTimeout) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.confirmTimeout = TaskBusChecks.positive(confirmTimeout, "confirmTimeout");
  }

  void publish(String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body) {
    String id = properties.getMessageId();
    ConfirmChannel used = null;
    try {
      used = channel();
      CompletableFuture<Void> confirm = used.publish(exchange, routingKey, properties, body);
      confirm.get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new TaskPublishException(routingKey, id, e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      discard(used, "another publish saw no confirm in time");
      throw new TaskPublishException(
          routingKey, id, "no confirm within " + confirmTimeout.toMillis() + " ms", e);
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      discard(used, "channel failed: " + e);
      throw new TaskPublishException(routingKey, id, e.toString(), e);
    }
  }

  private synchronized ConfirmChannel channel() throws IOException {
    if (channel == null || !channel.isOpen()) {
      Channel created = connection.createChannel();
      if (created == null) {
        throw new IOException("no channel available on " + connection);
      }
      channel = new ConfirmChannel(created);
    }
    return channel;
  }

  private synchronized void discard(ConfirmChannel failed, String reason) {
    if (failed == null) {
      return;
    }
    if (channel == failed) {
      channel = null;
    }
    failed.abort(reason);
  }

  @Override
  public synchronized void close() {
    if (channel != null) {
      channel.abort("publisher closed");
      channel = null;
    }
  }
}
