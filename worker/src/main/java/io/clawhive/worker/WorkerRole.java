package io.clawhive.worker;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.broker.TaskConsumer;
import io.clawhive.core.broker.TaskConsumerSettings;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.task.TaskCodec;
import io.clawhive.worker.node.TaskDispatcher;
import io.clawhive.worker.node.WorkerHeartbeat;
import io.dropwizard.core.setup.Environment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;

/**
 * Wires the worker role into a node: its own task queue and consumer, and the heartbeat that tells
 * placement this worker is alive.
 */
public final class WorkerRole {
  private WorkerRole() {}

  public static void install(
      Environment environment,
      WorkerConfig config,
      String nodeId,
      Storage storage,
      Connection connection,
      BrokerTopology topology,
      TaskConsumerSettings settings,
      Clock clock) {
    try (Channel channel = connection.createChannel()) {
      topology.declareWorkerQueue(channel, nodeId);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot declare the queue of worker " + nodeId, e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("timed out declaring the queue of worker " + nodeId, e);
    }
    WorkerHeartbeat heartbeat = new WorkerHeartbeat(storage, nodeId, config.getCapacity(), clock);
    environment.lifecycle().manage(heartbeat);
    TaskDispatcher dispatcher = new TaskDispatcher(nodeId);
    TaskConsumer consumer =
        new TaskConsumer(
            connection,
            topology,
            nodeId,
            dispatcher,
            new TaskCodec(),
            environment.metrics(),
            settings,
            clock);
    environment.lifecycle().manage(consumer);
    environment.healthChecks().register("worker", heartbeat.healthCheck());
  }
}
