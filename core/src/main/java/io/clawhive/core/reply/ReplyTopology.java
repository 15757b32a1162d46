package io.clawhive.core.reply;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import io.clawhive.core.broker.BrokerTopology;
import java.io.IOException;

/**
 * Where answers to HTTP chat requests travel: a durable direct exchange next to the task exchange,
 * and one non-durable, auto-deleted queue per api node bound by its node id. Replies are only
 * useful while the request waits, so nothing about them needs to survive a restart. The same
 * declarations work on RabbitMQ and the embedded broker.
 */
public final class ReplyTopology {

  private final String exchange;

  public ReplyTopology(BrokerTopology tasks) {
    String taskExchange = tasks.exchange();
    String prefix =
        taskExchange.endsWith(".tasks")
            ? taskExchange.substring(0, taskExchange.length() - ".tasks".length())
            : taskExchange;
    this.exchange = prefix + ".replies";
  }

  public String exchange() {
    return exchange;
  }

  public String queue(String apiNodeId) {
    return exchange + "." + apiNodeId;
  }

  public void declareExchange(Channel channel) throws IOException {
    channel.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT, true);
  }

  /** Declares the exchange and {@code apiNodeId}'s reply queue; returns the queue name. */
  public String declareQueue(Channel channel, String apiNodeId) throws IOException {
    declareExchange(channel);
    String queue = queue(apiNodeId);
    channel.queueDeclare(queue, false, false, true, null);
    channel.queueBind(queue, exchange, apiNodeId);
    return queue;
  }
}
