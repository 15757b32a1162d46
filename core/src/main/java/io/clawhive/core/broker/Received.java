package io.clawhive.core.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;

/**
 * One delivery as it arrived, with the channel that must ack it; {@code redelivered} when the
 * broker delivered it before (to a consumer that did not ack it).
 */
record Received(
    Channel channel,
    long deliveryTag,
    boolean redelivered,
    AMQP.BasicProperties properties,
    byte[] body) {}
