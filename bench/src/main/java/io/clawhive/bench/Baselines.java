package io.clawhive.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.clawhive.core.broker.AmqpConnections;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The raw costs the node's overhead is compared with, measured in the same run: one AMQP message
 * (persistent, 128 bytes) published with confirm, delivered and acked, one at a time on the node's
 * broker; and one HTTP chat round trip to a stand-in gateway.
 */
final class Baselines {

  static final int MESSAGE_BYTES = 128;
  static final Duration WAIT = Duration.ofSeconds(10);
  private static final int WARM_UP = 200;

  private Baselines() {}

  static Percentiles amqp(String uri, int samples) throws Exception {
    long[] nanos = new long[samples];
    try (Connection connection = AmqpConnections.open(uri, "bench-baseline");
        Channel publish = connection.createChannel();
        Channel consume = connection.createChannel()) {
      publish.confirmSelect();
      String queue = "clawhive.bench.baseline." + System.nanoTime();
      // durable, so that persistent messages are really stored as the task queues' are
      publish.queueDeclare(queue, true, false, true, null);
      BlockingQueue<Long> delivered = new ArrayBlockingQueue<>(1);
      consume.basicConsume(
          queue,
          false,
          (tag, delivery) -> {
            consume.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
            delivered.add(System.nanoTime());
          },
          tag -> {});
      AMQP.BasicProperties persistent = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
      byte[] body = new byte[MESSAGE_BYTES];
      for (int i = -WARM_UP; i < samples; i++) {
        long start = System.nanoTime();
        publish.basicPublish("", queue, true, persistent, body);
        publish.waitForConfirmsOrDie(WAIT.toMillis());
        Long at = delivered.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (at == null) {
          throw new IllegalStateException("baseline message not delivered within " + WAIT);
        }
        long end = Math.max(at, System.nanoTime());
        if (i >= 0) {
          nanos[i] = end - start;
        }
      }
      publish.queueDelete(queue);
    }
    return Percentiles.of(nanos);
  }

  /** A stand-in gateway of our own, started like the worker starts them, for HTTP round trips. */
  static Percentiles http(List<String> standIn, Path dir, int samples) throws Exception {
    int port = BenchNode.freePort();
    String token = "bench-baseline-token";
    Path config = dir.resolve("baseline-gateway.json");
    Files.writeString(config, "{\"gateway\":{\"auth\":{\"token\":\"" + token + "\"}}}");
    ProcessBuilder builder =
        new ProcessBuilder(
                concat(
                    standIn,
                    "gateway",
                    "run",
                    "--port",
                    Integer.toString(port),
                    "--bind",
                    "loopback"))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("baseline-gateway.log").toFile());
    builder.environment().put("OPENCLAW_CONFIG_PATH", config.toString());
    Process gateway = builder.start();
    try {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI base = URI.create("http://127.0.0.1:" + port);
      awaitReady(client, base.resolve("/readyz"));
      HttpRequest chat =
          HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"model\":\"openclaw/default\",\"user\":\"bench\","
                          + "\"messages\":[{\"role\":\"user\",\"content\":\"b1\"}]}"))
              .build();
      long[] nanos = new long[samples];
      for (int i = -WARM_UP; i < samples; i++) {
        long start = System.nanoTime();
        HttpResponse<byte[]> response = client.send(chat, HttpResponse.BodyHandlers.ofByteArray());
        long took = System.nanoTime() - start;
        if (response.statusCode() != 200) {
          throw new IllegalStateException("stand-in answered " + response.statusCode());
        }
        if (i >= 0) {
          nanos[i] = took;
        }
      }
      return Percentiles.of(nanos);
    } finally {
      gateway.destroy();
      gateway.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static void awaitReady(HttpClient client, URI readyz) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (client
                .send(
                    HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("baseline stand-in not ready at " + readyz);
  }

  private static List<String> concat(List<String> program, String... more) {
    java.util.ArrayList<String> all = new java.util.ArrayList<>(program);
    all.addAll(List.of(more));
    return all;
  }
}
