package io.clawhive.core.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Return;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * One confirm-mode channel with publishes in flight: each publish is tracked by its delivery tag
 * (the channel's publish sequence number) and gets its own future, completed when the broker acks,
 * failed when it nacks or returns the message, or when the channel shuts down. Publishing itself is
 * serialised (the sequence number and the frame must go out together); waiting is not.
 */
final class ConfirmChannel implements ConfirmListener {

  /** A publish whose confirm is awaited. */
  private static final class Pending {
    final String messageId;
    final CompletableFuture<Void> confirmed = new CompletableFuture<>();
    volatile String returned;

    Pending(String messageId) {
      this.messageId = messageId;
    }
  }

  private final Channel channel;
  private final ConcurrentNavigableMap<Long, Pending> inFlight = new ConcurrentSkipListMap<>();

  ConfirmChannel(Channel channel) throws IOException {
    this.channel = channel;
    channel.confirmSelect();
    channel.addConfirmListener(this);
    channel.addReturnListener(this::returned);
    channel.addShutdownListener(this::shutdown);
  }

  boolean isOpen() {
    return channel.isOpen();
  }

  /** Sends the message and answers the future of its confirm. */
  CompletableFuture<Void> publish(
      String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body)
      throws IOException {
    Pending pending = new Pending(properties.getMessageId());
    synchronized (this) {
      long tag = channel.getNextPublishSeqNo();
      inFlight.put(tag, pending);
      try {
        channel.basicPublish(exchange, routingKey, true, properties, body);
      } catch (IOException | RuntimeException e) {
        inFlight.remove(tag);
        throw e;
      }
    }
    if (!channel.isOpen()) {
      // closed between put and publish without a shutdown callback seeing this entry
      failAll("channel closed: " + channel.getCloseReason());
    }
    return pending.confirmed;
  }

  /** Number of publishes awaiting a confirm. */
  int inFlight() {
    return inFlight.size();
  }

  @Override
  public void handleAck(long deliveryTag, boolean multiple) {
    settle(deliveryTag, multiple, null);
  }

  @Override
  public void handleNack(long deliveryTag, boolean multiple) {
    settle(deliveryTag, multiple, "broker nacked the message (Qpid nacks when no queue is bound)");
  }

  private void settle(long deliveryTag, boolean multiple, String nackReason) {
    Map<Long, Pending> settled =
        multiple ? inFlight.headMap(deliveryTag, true) : single(deliveryTag);
    for (Map.Entry<Long, Pending> entry : settled.entrySet()) {
      Pending pending = inFlight.remove(entry.getKey());
      if (pending == null) {
        continue;
      }
      if (nackReason != null) {
        pending.confirmed.completeExceptionally(new ConfirmFailure(nackReason));
      } else if (pending.returned != null) {
        pending.confirmed.completeExceptionally(
            new ConfirmFailure("unroutable (" + pending.returned + "), no queue for it"));
      } else {
        pending.confirmed.complete(null);
      }
    }
  }

  private Map<Long, Pending> single(long deliveryTag) {
    Pending pending = inFlight.get(deliveryTag);
    return pending == null ? Map.of() : Map.of(deliveryTag, pending);
  }

  /** RabbitMQ sends a mandatory message's return before its ack: mark it, fail it on the ack. */
  private void returned(Return r) {
    String id = r.getProperties().getMessageId();
    for (Pending pending : inFlight.values()) {
      if (pending.returned == null && java.util.Objects.equals(pending.messageId, id)) {
        pending.returned = r.getReplyCode() + " " + r.getReplyText();
        return;
      }
    }
  }

  private void shutdown(ShutdownSignalException cause) {
    failAll("channel closed: " + cause.getMessage());
  }

  private void failAll(String reason) {
    for (Long tag : inFlight.keySet()) {
      Pending pending = inFlight.remove(tag);
      if (pending != null) {
        pending.confirmed.completeExceptionally(new ConfirmFailure(reason));
      }
    }
  }

  /** Aborts the channel; every publish still in flight fails. */
  void abort(String reason) {
    try {
      if (channel.isOpen()) {
        channel.abort();
      }
    } catch (IOException | RuntimeException ignored) {
      // closing a broken channel: nothing more to do
    }
    failAll(reason);
  }

  /** Why one publish was not confirmed; its message becomes the publish failure's problem. */
  static final class ConfirmFailure extends RuntimeException {
    ConfirmFailure(String problem) {
      super(problem, null, false, false);
    }
  }
}
