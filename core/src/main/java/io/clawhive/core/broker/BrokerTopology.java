package io.clawhive.core.broker;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import java.io.IOException;
import java.util.Map;

/**
 * Names and idempotent declarations of the task bus: one durable direct exchange, one durable queue
 * per worker node bound by its node id, and a dead-letter exchange + queue. The queue arguments
 * work on both RabbitMQ and the embedded Qpid broker. A prefix other than the default keeps
 * separate buses (tests on a shared RabbitMQ) apart.
 */
public final class BrokerTopology {

  public static final String DEFAULT_PREFIX = "clawhive";
  private static final int MAX_NAME_LENGTH = 255;

  private final String prefix;

  public BrokerTopology() {
    this(DEFAULT_PREFIX);
  }

  public BrokerTopology(String prefix) {
    this.prefix = checkName(prefix, "prefix");
  }

  public String exchange() {
    return prefix + ".tasks";
  }

  public String deadLetterExchange() {
    return prefix + ".dlx";
  }

  public String deadLetterQueue() {
    return prefix + ".dead-letters";
  }

  public String workerQueue(String nodeId) {
    return checkName(prefix + ".worker." + checkName(nodeId, "nodeId"), "queue name");
  }

  /** Declares the task exchange and the dead-letter exchange and queue (idempotent). */
  public void declare(Channel channel) throws IOException {
    channel.exchangeDeclare(exchange(), BuiltinExchangeType.DIRECT, true);
    channel.exchangeDeclare(deadLetterExchange(), BuiltinExchangeType.FANOUT, true);
    channel.queueDeclare(deadLetterQueue(), true, false, false, null);
    channel.queueBind(deadLetterQueue(), deadLetterExchange(), "");
  }

  /** Declares everything {@link #declare} does plus the node's queue and binding. */
  public String declareWorkerQueue(Channel channel, String nodeId) throws IOException {
    declare(channel);
    String queue = workerQueue(nodeId);
    channel.queueDeclare(queue, true, false, false, workerQueueArguments());
    channel.queueBind(queue, exchange(), nodeId);
    return queue;
  }

  /**
   * Dead-lettering that both brokers understand: RabbitMQ reads {@code x-dead-letter-exchange};
   * Qpid ignores it (context {@code queue.behaviourOnUnknownDeclareArgument=IGNORE}) and uses the
   * alternate binding once a message has been delivered once and is rejected. Our own code
   * dead-letters by publishing to the dead-letter exchange, so this is the safety net.
   */
  Map<String, Object> workerQueueArguments() {
    return Map.of(
        "x-dead-letter-exchange", deadLetterExchange(),
        "alternateBinding", Map.of("destination", deadLetterExchange()),
        "maximumDeliveryAttempts", 1);
  }

  public void deleteWorkerQueue(Channel channel, String nodeId) throws IOException {
    channel.queueDelete(workerQueue(nodeId));
  }

  /** Deletes the exchanges and the dead-letter queue (tests, decommissioning). */
  public void deleteShared(Channel channel) throws IOException {
    channel.queueDelete(deadLetterQueue());
    channel.exchangeDelete(exchange());
    channel.exchangeDelete(deadLetterExchange());
  }

  @Override
  public String toString() {
    return "BrokerTopology[" + prefix + "]";
  }

  private static String checkName(String name, String what) {
    TaskBusChecks.requiredText(name, what);
    if (name.length() > MAX_NAME_LENGTH || !name.chars().allMatch(BrokerTopology::allowed)) {
      throw new IllegalArgumentException(
          what + " must be at most 255 of [A-Za-z0-9._:-] but was '" + name + "'");
    }
    return name;
  }

  private static boolean allowed(int c) {
    return Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' || c == '-' || c == ':';
  }
}
