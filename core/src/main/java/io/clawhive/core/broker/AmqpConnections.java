package io.clawhive.core.broker;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.IOException;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Opens AMQP 0-9-1 connections (embedded broker or RabbitMQ alike) with automatic connection and
 * topology recovery switched on.
 */
public final class AmqpConnections {

  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration RECOVERY_INTERVAL = Duration.ofSeconds(1);
  public static final Duration HEARTBEAT = Duration.ofSeconds(30);

  private AmqpConnections() {}

  /** A factory for {@code uri} with recovery on; the URI's credentials are used. */
  public static ConnectionFactory factory(String uri) {
    ConnectionFactory factory = new ConnectionFactory();
    try {
      factory.setUri(uri);
    } catch (URISyntaxException | GeneralSecurityException | IllegalArgumentException e) {
      throw new BrokerException("invalid AMQP URI (" + e.getClass().getSimpleName() + ")", e);
    }
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(true);
    factory.setNetworkRecoveryInterval(RECOVERY_INTERVAL.toMillis());
    factory.setConnectionTimeout((int) CONNECT_TIMEOUT.toMillis());
    factory.setRequestedHeartbeat((int) HEARTBEAT.toSeconds());
    return factory;
  }

  /** Opens a recovering connection named {@code clientName} (shown by the broker). */
  public static Connection open(String uri, String clientName) {
    ConnectionFactory factory = factory(uri);
    try {
      return factory.newConnection(clientName);
    } catch (IOException | TimeoutException e) {
      throw new BrokerException(
          "cannot connect to AMQP broker at "
              + factory.getHost()
              + ":"
              + factory.getPort()
              + " ("
              + e
              + ")",
          e);
    }
  }
}
