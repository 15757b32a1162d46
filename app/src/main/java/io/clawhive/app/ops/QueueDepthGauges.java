package io.clawhive.app.ops;

import com.codahale.metrics.CachedGauge;
import com.codahale.metrics.MetricRegistry;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.clawhive.core.broker.BrokerTopology;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Queue depths as gauges, read with a passive declare (which creates nothing) on a short-lived
 * channel and cached for {@link #CACHE_SECONDS} s, so a scrape costs at most one broker round trip
 * per gauge in that time. A worker node reports its own task queue ({@code tasks.queue.depth}: one
 * series per worker through Prometheus' instance label), an api node the dead-letter queue ({@code
 * tasks.dead_letters.depth}). A queue that cannot be read gives no value rather than a false zero.
 */
public final class QueueDepthGauges {
  public static final String WORKER_QUEUE = "tasks.queue.depth";
  public static final String DEAD_LETTERS = "tasks.dead_letters.depth";
  static final long CACHE_SECONDS = 5;
  private static final Logger LOG = LoggerFactory.getLogger(QueueDepthGauges.class);

  private QueueDepthGauges() {}

  public static void workerQueue(
      MetricRegistry metrics, Connection connection, BrokerTopology topology, String nodeId) {
    metrics.register(WORKER_QUEUE, depthOf(connection, topology.workerQueue(nodeId)));
  }

  public static void deadLetters(
      MetricRegistry metrics, Connection connection, BrokerTopology topology) {
    metrics.register(DEAD_LETTERS, depthOf(connection, topology.deadLetterQueue()));
  }

  private static CachedGauge<Long> depthOf(Connection connection, String queue) {
    return new CachedGauge<>(CACHE_SECONDS, TimeUnit.SECONDS) {
      @Override
      protected Long loadValue() {
        try (Channel channel = connection.createChannel()) {
          return (long) channel.queueDeclarePassive(queue).getMessageCount();
        } catch (Exception e) {
          LOG.debug("depth of queue {} not readable: {}", queue, e.toString());
          return null;
        }
      }
    };
  }
}
