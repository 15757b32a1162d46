package io.clawhive.core.broker;

import com.codahale.metrics.MetricRegistry;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.clawhive.core.task.Task;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.core.task.UndecodableTaskException;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter queue for ops: count, peek (messages stay) and replay (tasks go back to their
 * original node's queue as a fresh first attempt; undecodable ones stay).
 */
public final class DeadLetters {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

  private final Connection connection;
  private final BrokerTopology topology;
  private final TaskCodec codec;
  private final TaskPublisher publisher;
  private final TaskMetrics metrics;

  public DeadLetters(
      Connection connection, BrokerTopology topology, TaskCodec codec, MetricRegistry metrics) {
    this.connection = connection;
    this.topology = topology;
    this.codec = codec;
    this.publisher = new TaskPublisher(connection, topology, codec, metrics);
    this.metrics = new TaskMetrics(metrics);
  }

  /** Messages waiting in the dead-letter queue. */
  public long count() {
    try (Channel channel = connection.createChannel()) {
      return channel.queueDeclarePassive(topology.deadLetterQueue()).getMessageCount();
    } catch (Exception e) {
      throw new BrokerException("cannot count dead letters in " + topology.deadLetterQueue(), e);
    }
  }

  /** Up to {@code max} dead letters from the head of the queue; they stay in the queue. */
  public List<DeadLetter> peek(int max) {
    List<DeadLetter> letters = new ArrayList<>();
    // unacked gets are released back to the queue when the channel closes (on both brokers;
    // Qpid warns on a multiple nack of basic.get deliveries)
    try (Channel channel = connection.createChannel()) {
      for (int i = 0; i < max; i++) {
        GetResponse response = channel.basicGet(topology.deadLetterQueue(), false);
        if (response == null) {
          break;
        }
        letters.add(toDeadLetter(response));
      }
      return letters;
    } catch (Exception e) {
      throw new BrokerException("cannot read dead letters from " + topology.deadLetterQueue(), e);
    }
  }

  /** Prepares a task for its replay, before it is published again (e.g. reopens its update). */
  @FunctionalInterface
  public interface BeforeReplay {
    BeforeReplay NOTHING = task -> {};

    void prepare(Task task);
  }

  /** Replays every replayable dead letter; returns how many went back to a worker queue. */
  public int replayAll() {
    return replay(letter -> true);
  }

  /** As {@link #replay(Predicate, BeforeReplay)} with nothing to prepare. */
  public int replay(Predicate<DeadLetter> which) {
    return replay(which, BeforeReplay.NOTHING);
  }

  /**
   * Replays the dead letters {@code which} selects, as first attempts to their origin node, each
   * after {@code before} prepared it (if that throws, the letter stays and the replay stops).
   * Letters not selected, undecodable, or without an origin node stay in the queue.
   */
  public int replay(Predicate<DeadLetter> which, BeforeReplay before) {
    int replayed = 0;
    try (Channel channel = connection.createChannel()) {
      long waiting = channel.queueDeclarePassive(topology.deadLetterQueue()).getMessageCount();
      for (long i = 0; i < waiting; i++) {
        GetResponse response = channel.basicGet(topology.deadLetterQueue(), false);
        if (response == null) {
          break;
        }
        long tag = response.getEnvelope().getDeliveryTag();
        DeadLetter letter = toDeadLetter(response);
        Optional<Task> task = which.test(letter) ? replayable(letter) : Optional.empty();
        if (task.isPresent()) {
          before.prepare(task.get());
          publisher.publish(letter.originNode(), task.get().withAttempt(Task.FIRST_ATTEMPT));
          channel.basicAck(tag, false);
          metrics.mark(TaskMetrics.REPLAYED, task.get().type());
          replayed++;
        }
      }
      // letters not replayed are released back to the queue when the channel closes
    } catch (IOException | java.util.concurrent.TimeoutException e) {
      throw new BrokerException("replay from " + topology.deadLetterQueue() + " failed", e);
    }
    LOG.info("Replayed {} dead-lettered task(s)", replayed);
    return replayed;
  }

  private Optional<Task> replayable(DeadLetter letter) {
    if (letter.originNode() == null || letter.originNode().isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(codec.decode(letter.body()));
    } catch (UndecodableTaskException e) {
      return Optional.empty();
    }
  }

  private static DeadLetter toDeadLetter(GetResponse response) {
    AMQP.BasicProperties properties = response.getProps();
    Map<String, Object> headers =
        properties.getHeaders() == null ? Map.of() : properties.getHeaders();
    String origin = text(headers.get(DeadLetterSender.ORIGIN_NODE));
    if (origin == null) {
      origin = response.getEnvelope().getRoutingKey();
    }
    return new DeadLetter(
        origin,
        Optional.ofNullable(text(headers.get(DeadLetterSender.TASK_TYPE)))
            .orElse(properties.getType()),
        properties.getMessageId(),
        text(headers.get(DeadLetterSender.REASON)),
        instant(text(headers.get(DeadLetterSender.DEAD_LETTERED_AT))),
        response.getBody());
  }

  private static String text(Object header) {
    return header == null ? null : header.toString();
  }

  private static Instant instant(String text) {
    try {
      return text == null ? null : Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
