package io.clawhive.core.testing;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.clawhive.core.broker.AmqpConnections;
import io.clawhive.core.broker.BrokerStore;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.broker.EmbeddedBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Brokers for parameterized tests: always the embedded Qpid broker (memory store), plus the
 * RabbitMQ at {@code CLAWHIVE_TEST_AMQP_URI} when set. Use with
 * {@code @MethodSource("io.clawhive.core.testing.TestBrokers#all")}. Each {@link Running} has its
 * own topology prefix and node ids, and deletes what it declared on close.
 */
public final class TestBrokers {

  public static final String AMQP_URI_ENV = "CLAWHIVE_TEST_AMQP_URI";
  static final String TEST_USER = "clawhive-test";

  private TestBrokers() {}

  public static Stream<Target> all() {
    String uri = System.getenv(AMQP_URI_ENV);
    Target embedded = new Target("embedded-qpid", null);
    return uri == null || uri.isBlank()
        ? Stream.of(embedded)
        : Stream.of(embedded, new Target("rabbitmq", uri));
  }

  /** A broker kind; {@link #start()} gives a running broker (or a session on RabbitMQ). */
  public record Target(String name, String externalUri) {
    public Running start() {
      String prefix = "test-" + UUID.randomUUID().toString().substring(0, 8);
      if (externalUri != null) {
        return new Running(externalUri, null, null, prefix);
      }
      Path dir = tempDir();
      EmbeddedBroker broker =
          new EmbeddedBroker(BrokerStore.MEMORY, dir, 0, TEST_USER, UUID.randomUUID().toString());
      broker.start();
      return new Running(broker.amqpUri(), broker, dir, prefix);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** A broker for one test: connections, topology and node ids it hands out are cleaned up. */
  public static final class Running implements AutoCloseable {
    private final String uri;
    private final EmbeddedBroker embedded;
    private final Path dir;
    private final BrokerTopology topology;
    private final String prefix;
    private final List<String> nodeIds = new ArrayList<>();
    private final List<Connection> connections = new ArrayList<>();

    Running(String uri, EmbeddedBroker embedded, Path dir, String prefix) {
      this.uri = uri;
      this.embedded = embedded;
      this.dir = dir;
      this.prefix = prefix;
      this.topology = new BrokerTopology(prefix);
    }

    public String uri() {
      return uri;
    }

    public BrokerTopology topology() {
      return topology;
    }

    public boolean isEmbedded() {
      return embedded != null;
    }

    /** A node id unique to this test, whose queue is deleted on close. */
    public synchronized String nodeId(String name) {
      String nodeId = prefix + "-" + name;
      nodeIds.add(nodeId);
      return nodeId;
    }

    /** A recovering connection closed on {@link #close()} (if still open). */
    public synchronized Connection connect(String clientName) {
      Connection connection = AmqpConnections.open(uri, clientName);
      connections.add(connection);
      return connection;
    }

    /** Messages ready in {@code queue} (not counting unacked ones). */
    public long ready(String queue) {
      try (Connection connection = AmqpConnections.open(uri, "test-count");
          Channel channel = connection.createChannel()) {
        return channel.queueDeclarePassive(queue).getMessageCount();
      } catch (Exception e) {
        throw new IllegalStateException("cannot count " + queue, e);
      }
    }

    @Override
    public synchronized void close() throws Exception {
      try {
        if (embedded == null) {
          deleteDeclared();
        }
        for (Connection connection : connections) {
          if (connection.isOpen()) {
            connection.abort();
          }
        }
      } finally {
        if (embedded != null) {
          embedded.stop();
          deleteRecursively(dir);
        }
      }
    }

    private void deleteDeclared() throws Exception {
      try (Connection connection = AmqpConnections.open(uri, "test-cleanup");
          Channel channel = connection.createChannel()) {
        for (String nodeId : nodeIds) {
          topology.deleteWorkerQueue(channel, nodeId);
        }
        topology.deleteShared(channel);
      }
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("clawhive-broker-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
