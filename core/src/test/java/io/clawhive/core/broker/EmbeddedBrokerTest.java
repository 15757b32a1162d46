package io.clawhive.core.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedBrokerTest {

  private static final String USER = "clawhive";

  @TempDir Path dir;

  @Test
  void startsOnAFreePortAndAcceptsOnlyTheGivenCredentials() throws Exception {
    try (EmbeddedBroker broker = new EmbeddedBroker(BrokerStore.MEMORY, dir, 0, USER, "s3cret")) {
      broker.start();
      assertThat(broker.port()).isPositive().isNotEqualTo(5672);
      assertThat(broker.amqpUri()).startsWith("amqp://clawhive:s3cret@127.0.0.1:");
      try (Connection connection = AmqpConnections.open(broker.amqpUri(), "test")) {
        assertThat(connection.isOpen()).isTrue();
      }
      ConnectionFactory guest = AmqpConnections.factory(broker.amqpUri());
      guest.setUsername("guest");
      guest.setPassword("guest");
      guest.setAutomaticRecoveryEnabled(false);
      assertThatThrownBy(() -> guest.newConnection().close()).isInstanceOf(Exception.class);
    }
  }

  @Test
  void persistentMessageSurvivesRestartOnTheDerbyStore() throws Exception {
    String password = EmbeddedBroker.loadOrCreatePassword(dir.resolve("broker.password"));
    String queue = "durability-check";
    int port;
    try (EmbeddedBroker broker = new EmbeddedBroker(BrokerStore.DERBY, dir, 0, USER, password)) {
      broker.start();
      port = broker.port();
      try (Connection connection = AmqpConnections.open(broker.amqpUri(), "test");
          Channel channel = connection.createChannel()) {
        channel.queueDeclare(queue, true, false, false, null);
        channel.confirmSelect();
        channel.basicPublish(
            "",
            queue,
            new AMQP.BasicProperties.Builder().deliveryMode(2).build(),
            "kept".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(5_000);
      }
    }
    try (EmbeddedBroker broker = new EmbeddedBroker(BrokerStore.DERBY, dir, port, USER, password)) {
      broker.start();
      try (Connection connection = AmqpConnections.open(broker.amqpUri(), "test");
          Channel channel = connection.createChannel()) {
        GetResponse response = channel.basicGet(queue, true);
        assertThat(response).isNotNull();
        assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("kept");
      }
    }
  }

  @Test
  void passwordFileIsCreatedOwnerOnlyAndReused() throws Exception {
    Path file = dir.resolve("secrets/broker.password");
    String first = EmbeddedBroker.loadOrCreatePassword(file);
    assertThat(first).hasSizeGreaterThanOrEqualTo(24);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(EmbeddedBroker.loadOrCreatePassword(file)).isEqualTo(first);
  }

  @Test
  void leavesNoQpidShutdownHookSoOnlyItsOwnerStopsIt() throws Exception {
    try (EmbeddedBroker broker = new EmbeddedBroker(BrokerStore.MEMORY, dir, 0, USER, "s3cret")) {
      broker.start();
      Thread hook = QpidShutdownHook.hookOf(broker.systemConfig().getContainer());
      assertThat(hook.getName()).isEqualTo("QpidBrokerShutdownHook");
      // false = not registered: on SIGTERM the broker no longer closes concurrently with the
      // node's consumers; the lifecycle stops it after them.
      assertThat(Runtime.getRuntime().removeShutdownHook(hook)).isFalse();
      try (Connection connection = AmqpConnections.open(broker.amqpUri(), "test")) {
        assertThat(connection.isOpen()).isTrue();
      }
    }
  }

  @Test
  void rejectsRabbitMqsPort() {
    assertThatThrownBy(() -> new EmbeddedBroker(BrokerStore.MEMORY, dir, 5672, USER, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5672");
  }
}
