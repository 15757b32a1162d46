package io.clawhive.core.reply;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Api side: consumes this node's reply queue and completes the request waiting under each reply's
 * correlation id. Replies nobody waits for (the request timed out) are dropped with a debug line.
 */
public final class ReplyWaiter implements Managed {

  private static final Logger LOG = LoggerFactory.getLogger(ReplyWaiter.class);

  private final Connection connection;
  private final ReplyTopology topology;
  private final String nodeId;
  private final Map<String, CompletableFuture<HttpReply>> waiting = new ConcurrentHashMap<>();
  private volatile Channel channel;

  public ReplyWaiter(Connection connection, ReplyTopology topology, String nodeId) {
    this.connection = connection;
    this.topology = topology;
    this.nodeId = nodeId;
  }

  public String nodeId() {
    return nodeId;
  }

  /** A fresh correlation id and the future its reply completes. Call {@link #forget} after. */
  public Pending expect() {
    String id = UUID.randomUUID().toString();
    CompletableFuture<HttpReply> future = new CompletableFuture<>();
    waiting.put(id, future);
    return new Pending(id, future);
  }

  public void forget(String correlationId) {
    waiting.remove(correlationId);
  }

  /** Requests still waiting for a reply. */
  public int waiting() {
    return waiting.size();
  }

  @Override
  public void start() throws IOException {
    Channel opened = connection.createChannel();
    String queue = topology.declareQueue(opened, nodeId);
    opened.basicConsume(queue, true, new Replies(opened));
    channel = opened;
    LOG.info("Waiting for HTTP chat replies on {}", queue);
  }

  @Override
  public void stop() {
    Channel current = channel;
    channel = null;
    waiting.values().forEach(f -> f.cancel(false));
    waiting.clear();
    if (current != null && current.isOpen()) {
      try {
        current.close();
      } catch (Exception e) {
        LOG.debug("Closing the reply channel: {}", e.toString());
      }
    }
  }

  /** One request's correlation id and the reply it will get. */
  public record Pending(String correlationId, CompletableFuture<HttpReply> reply) {}

  private final class Replies extends DefaultConsumer {
    Replies(Channel channel) {
      super(channel);
    }

    @Override
    public void handleDelivery(
        String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      HttpReply reply;
      try {
        reply = HttpReply.decode(body);
      } catch (IOException | RuntimeException e) {
        LOG.warn("Dropping an unreadable HTTP reply on {}: {}", nodeId, e.toString());
        return;
      }
      CompletableFuture<HttpReply> future = waiting.remove(reply.correlationId());
      if (future == null) {
        LOG.debug("Reply {} came after its request gave up; dropped", reply.correlationId());
      } else {
        future.complete(reply);
      }
    }
  }
}
