package io.clawhive.worker.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-JVM gateway endpoint on 127.0.0.1 for client tests: {@code /healthz}, {@code /readyz},
 * {@code /v1/chat/completions} with bearer auth, keeping per-{@code user} history, and able to
 * answer with a forced status or to hang.
 */
public final class FakeGateway implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String token;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();
  private final List<JsonNode> chatRequests = new CopyOnWriteArrayList<>();
  private final AtomicInteger forcedStatus = new AtomicInteger();
  private final AtomicInteger readyStatus = new AtomicInteger(200);
  private final AtomicReference<CountDownLatch> hang = new AtomicReference<>();
  private final AtomicReference<String> rawAnswer = new AtomicReference<>();
  private volatile boolean endless;
  private volatile boolean stall;
  private final AtomicLong endlessBytes = new AtomicLong();
  private final CountDownLatch endlessStopped = new CountDownLatch(1);

  private FakeGateway(String token) throws IOException {
    this.token = token;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/healthz", e -> status(e, 200, "{\"ok\":true,\"status\":\"live\"}"));
    server.createContext(
        "/readyz",
        e -> status(e, readyStatus.get(), "{\"ready\":" + (readyStatus.get() == 200) + "}"));
    server.createContext("/v1/chat/completions", this::chat);
  }

  public static FakeGateway start(String token) throws IOException {
    FakeGateway gateway = new FakeGateway(token);
    gateway.server.start();
    return gateway;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Every later chat answers with this status (0 = normal answers). */
  public void forceStatus(int status) {
    forcedStatus.set(status);
  }

  public void readyStatus(int status) {
    readyStatus.set(status);
  }

  /** Chats stall (at most a minute) until {@link #close()}. */
  public void hangChats() {
    CountDownLatch latch = new CountDownLatch(1);
    hang.set(latch);
  }

  /** Every later chat answers 200 with {@code body} as is (any shape). */
  public void answerRaw(String body) {
    rawAnswer.set(body);
  }

  /**
   * Every later chat answers 200 with the start of a chat completion whose content never ends: 'a'
   * after 'a' until the client stops reading (or an hour passes).
   */
  public void answerEndlessly() {
    endless = true;
  }

  /** Every later chat answers 200 with the start of a body, then nothing (at most a minute). */
  public void stallAfterHeaders() {
    stall = true;
  }

  /** Bytes of endless answers written so far. */
  public long endlessBytes() {
    return endlessBytes.get();
  }

  /** True once an endless answer stopped because the client closed the connection. */
  public boolean endlessAnswerStopped() {
    return endlessStopped.getCount() == 0;
  }

  public List<JsonNode> chatRequests() {
    return List.copyOf(chatRequests);
  }

  @Override
  public void close() {
    CountDownLatch latch = hang.get();
    if (latch != null) {
      latch.countDown();
    }
    server.stop(0);
    executor.shutdownNow();
  }

  private void chat(HttpExchange exchange) throws IOException {
    try {
      if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        status(
            exchange, 401, "{\"error\":{\"message\":\"Unauthorized\",\"type\":\"unauthorized\"}}");
        return;
      }
      JsonNode body = JSON.readTree(exchange.getRequestBody());
      chatRequests.add(body);
      CountDownLatch latch = hang.get();
      if (latch != null) {
        latch.await(1, TimeUnit.MINUTES);
        return;
      }
      if (endless) {
        endless(exchange);
        return;
      }
      if (stall) {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0);
        exchange
            .getResponseBody()
            .write(
                "{\"choices\":[{\"message\":{\"content\":\"sta"
                    .getBytes(StandardCharsets.US_ASCII));
        exchange.getResponseBody().flush();
        CountDownLatch never = new CountDownLatch(1);
        hang.compareAndSet(null, never);
        hang.get().await(1, TimeUnit.MINUTES);
        return;
      }
      String raw = rawAnswer.get();
      if (raw != null) {
        status(exchange, 200, raw);
        return;
      }
      int forced = forcedStatus.get();
      if (forced != 0) {
        status(
            exchange,
            forced,
            "{\"error\":{\"message\":\"forced " + forced + "\",\"type\":\"test\"}}");
        return;
      }
      String user = body.path("user").asText("");
      int turn = turns.computeIfAbsent(user, u -> new AtomicInteger()).incrementAndGet();
      String text = body.path("messages").path(0).path("content").asText();
      ObjectNode reply = JSON.createObjectNode();
      reply.put("id", "chatcmpl-" + turn);
      reply.put("object", "chat.completion");
      reply.put("model", body.path("model").asText());
      ObjectNode choice = reply.putArray("choices").addObject();
      choice.put("index", 0);
      choice
          .putObject("message")
          .put("role", "assistant")
          .put("content", "turn " + turn + ": " + text);
      choice.put("finish_reason", "stop");
      status(exchange, 200, reply.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  private void endless(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, 0); // chunked
    byte[] chunk = "a".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
    long until = System.currentTimeMillis() + TimeUnit.HOURS.toMillis(1);
    try (OutputStream out = exchange.getResponseBody()) {
      byte[] head =
          "{\"id\":\"chatcmpl-endless\",\"choices\":[{\"index\":0,\"message\":{\"content\":\""
              .getBytes(StandardCharsets.US_ASCII);
      out.write(head);
      endlessBytes.addAndGet(head.length);
      while (System.currentTimeMillis() < until) {
        out.write(chunk);
        endlessBytes.addAndGet(chunk.length);
      }
    } catch (IOException e) {
      endlessStopped.countDown(); // the client closed the connection
    }
  }

  private static void status(HttpExchange exchange, int status, String body) throws IOException {
    try {
      FakeModelServer.respond(exchange, status, "application/json", body);
    } finally {
      exchange.close();
    }
  }
}
