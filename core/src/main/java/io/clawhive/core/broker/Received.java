package io.clawhive.core.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;

/** One delivery as it arrived, with the channel that must ack it. */
record Received(Channel channel, long deliveryTag, AMQP.BasicProperties properties, byte[] body) {}
