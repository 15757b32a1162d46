package io.clawhive.core.broker;

import com.codahale.metrics.health.HealthCheck;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

/** Healthy when the broker answers a passive declare of the task exchange on our connection. */
public final class BrokerHealthCheck extends HealthCheck {

  private final Connection connection;
  private final BrokerTopology topology;
  private Channel channel;

  public BrokerHealthCheck(Connection connection, BrokerTopology topology) {
    this.connection = connection;
    this.topology = topology;
  }

  @Override
  protected synchronized Result check() throws Exception {
    if (!connection.isOpen()) {
      return Result.unhealthy("connection to the broker is closed (recovering if enabled)");
    }
    if (channel == null || !channel.isOpen()) {
      channel = connection.createChannel();
    }
    channel.exchangeDeclarePassive(topology.exchange());
    return Result.healthy("exchange " + topology.exchange() + " reachable");
  }
}
