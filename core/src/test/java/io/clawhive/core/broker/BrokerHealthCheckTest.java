package io.clawhive.core.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.clawhive.core.testing.TestBrokers;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Tag("infra")
class BrokerHealthCheckTest {

  @ParameterizedTest
  @MethodSource("io.clawhive.core.testing.TestBrokers#all")
  void healthyWithTheExchangeAndUnhealthyWithoutConnection(TestBrokers.Target target)
      throws Exception {
    try (TestBrokers.Running broker = target.start()) {
      Connection connection = broker.connect("health");
      BrokerHealthCheck check = new BrokerHealthCheck(connection, broker.topology());
      assertThat(check.execute().isHealthy()).isFalse(); // exchange not declared yet

      try (Channel channel = connection.createChannel()) {
        broker.topology().declare(channel);
      }
      assertThat(check.execute().isHealthy()).isTrue();

      connection.close();
      assertThat(check.execute().isHealthy()).isFalse();
    }
  }
}
