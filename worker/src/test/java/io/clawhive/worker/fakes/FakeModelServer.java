package io.clawhive.worker.fakes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A model provider on 127.0.0.1 speaking OpenAI chat completions the way the OpenClaw gateway uses
 * it: streaming (SSE, {@code stream: true}) or not, a big system prompt and tool list, user text
 * wrapped as {@code [timestamp] text\n\nRuntime: …}, and an extra user message holding {@code
 * <<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>}. It answers {@code "turn N: <user text>"}, where N counts
 * the real user turns in the history it was sent, so conversation memory is provable. Every
 * endpoint REQUIRES the real key (401 otherwise); it counts what it served (requests, prompt and
 * completion tokens, reported in {@code usage} as 10 per request and one per answer character).
 * {@link #padAnswers} makes answers long (a runaway model); {@link #holdBeforeLastChunk} makes a
 * stream wait after its first content chunk (to prove the proxy relays before the end).
 */
public final class FakeModelServer implements AutoCloseable {

  public static final String MODEL_ID = "fake-model";
  public static final String INTERNAL_CONTEXT_MARKER = "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>";
  private static final String RUNTIME_SUFFIX = "\n\nRuntime: ";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String apiKey;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong promptTokens = new AtomicLong();
  private final AtomicLong completionTokens = new AtomicLong();
  private final AtomicLong unauthorized = new AtomicLong();
  private volatile int padding;
  private volatile CountDownLatch hold = new CountDownLatch(0);

  /** Fixed, so that two answers to the same request are the same bytes. */
  static final long CREATED = 1_764_000_000L;

  /** Prompt tokens reported per request. */
  public static final long PROMPT_TOKENS = 10;

  private FakeModelServer(String apiKey, InetSocketAddress address) throws IOException {
    this.apiKey = apiKey;
    server = HttpServer.create(address, 0);
    server.setExecutor(executor);
    server.createContext("/v1/chat/completions", this::chat);
    server.createContext("/v1/models", this::models);
  }

  public static FakeModelServer start(String apiKey) throws IOException {
    return start(apiKey, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  /** A fake listening on {@code address} (e.g. the worker address namespaces reach). */
  public static FakeModelServer start(String apiKey, InetSocketAddress address) throws IOException {
    FakeModelServer fake = new FakeModelServer(apiKey, address);
    fake.server.start();
    return fake;
  }

  /** What a gateway config needs: {@code http://<address>:<port>/v1}. */
  public String baseUrl() {
    return "http://"
        + server.getAddress().getAddress().getHostAddress()
        + ":"
        + server.getAddress().getPort()
        + "/v1";
  }

  public String apiKey() {
    return apiKey;
  }

  /** Chat requests answered with the right key. */
  public long served() {
    return served.get();
  }

  public long promptTokensServed() {
    return promptTokens.get();
  }

  public long completionTokensServed() {
    return completionTokens.get();
  }

  /** Requests refused for a missing or wrong key. */
  public long unauthorized() {
    return unauthorized.get();
  }

  /** Appends {@code chars} characters to every answer (0 = off). */
  public void padAnswers(int chars) {
    this.padding = chars;
  }

  /** Streams wait on {@code latch} after their first content chunk. */
  public void holdBeforeLastChunk(CountDownLatch latch) {
    this.hold = latch;
  }

  /** Every chat-completions request body received, in order. */
  public List<JsonNode> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** The reply to a conversation: {@code turn N: <latest user text, unwrapped>}. */
  public static String answerFor(JsonNode messages) {
    int turns = 0;
    String latest = "";
    for (JsonNode message : messages) {
      if (!"user".equals(message.path("role").asText())) {
        continue;
      }
      String text = text(message.path("content"));
      if (text.contains(INTERNAL_CONTEXT_MARKER)) {
        continue;
      }
      turns++;
      latest = unwrap(text);
    }
    return "turn " + turns + ": " + latest;
  }

  /** Strips the gateway's {@code [timestamp] } prefix and {@code \n\nRuntime: …} suffix. */
  static String unwrap(String text) {
    String result = text;
    int runtime = result.indexOf(RUNTIME_SUFFIX);
    if (runtime >= 0) {
      result = result.substring(0, runtime);
    }
    if (result.startsWith("[")) {
      int close = result.indexOf("] ");
      if (close > 0) {
        result = result.substring(close + 2);
      }
    }
    return result.strip();
  }

  private static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      if ("text".equals(part.path("type").asText())) {
        text.append(part.path("text").asText());
      }
    }
    return text.toString();
  }

  private void chat(HttpExchange exchange) throws IOException {
    try {
      if (!"POST".equals(exchange.getRequestMethod())) {
        respond(exchange, 405, "application/json", error("method not allowed"));
        return;
      }
      if (!authorized(exchange)) {
        return;
      }
      JsonNode body = JSON.readTree(exchange.getRequestBody());
      requests.add(body);
      String answer = answerFor(body.path("messages"));
      int pad = padding;
      if (pad > 0) {
        answer = answer + " " + "x".repeat(pad);
      }
      served.incrementAndGet();
      promptTokens.addAndGet(PROMPT_TOKENS);
      completionTokens.addAndGet(answer.length());
      String model = body.path("model").asText(MODEL_ID);
      if (body.path("stream").asBoolean(false)) {
        stream(exchange, model, answer);
      } else {
        respond(exchange, 200, "application/json", completion(model, answer));
      }
    } finally {
      exchange.close();
    }
  }

  private void stream(HttpExchange exchange, String model, String answer) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    OutputStream out = exchange.getResponseBody();
    ObjectNode first = chunk(model);
    ObjectNode delta = ((ObjectNode) first.withArray("choices").get(0)).putObject("delta");
    delta.put("role", "assistant").put("content", "");
    event(out, first);
    int half = answer.length() / 2;
    boolean firstPiece = true;
    for (String piece : List.of(answer.substring(0, half), answer.substring(half))) {
      ObjectNode next = chunk(model);
      ((ObjectNode) next.withArray("choices").get(0)).putObject("delta").put("content", piece);
      event(out, next);
      if (firstPiece) {
        firstPiece = false;
        awaitHold();
      }
    }
    ObjectNode last = chunk(model);
    ObjectNode lastChoice = (ObjectNode) last.withArray("choices").get(0);
    lastChoice.putObject("delta");
    lastChoice.put("finish_reason", "stop");
    event(out, last);
    ObjectNode usage = chunk(model);
    usage.putArray("choices");
    usage.set("usage", usage(answer));
    event(out, usage);
    out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private void awaitHold() {
    try {
      hold.await(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean authorized(HttpExchange exchange) throws IOException {
    if (("Bearer " + apiKey).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      return true;
    }
    unauthorized.incrementAndGet();
    respond(exchange, 401, "application/json", error("invalid api key"));
    return false;
  }

  private static ObjectNode chunk(String model) {
    ObjectNode chunk = JSON.createObjectNode();
    chunk.put("id", "chatcmpl-fake");
    chunk.put("object", "chat.completion.chunk");
    chunk.put("created", CREATED);
    chunk.put("model", model);
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putNull("finish_reason");
    return chunk;
  }

  private static void event(OutputStream out, JsonNode data) throws IOException {
    out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String completion(String model, String answer) {
    ObjectNode root = JSON.createObjectNode();
    root.put("id", "chatcmpl-fake");
    root.put("object", "chat.completion");
    root.put("created", CREATED);
    root.put("model", model);
    ArrayNode choices = root.putArray("choices");
    ObjectNode choice = choices.addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", answer);
    choice.put("finish_reason", "stop");
    root.set("usage", usage(answer));
    return root.toString();
  }

  private static ObjectNode usage(String answer) {
    ObjectNode usage = JSON.createObjectNode();
    usage.put("prompt_tokens", PROMPT_TOKENS);
    usage.put("completion_tokens", answer.length());
    usage.put("total_tokens", PROMPT_TOKENS + answer.length());
    return usage;
  }

  private void models(HttpExchange exchange) throws IOException {
    try {
      if (!authorized(exchange)) {
        return;
      }
      ObjectNode root = JSON.createObjectNode();
      root.put("object", "list");
      root.putArray("data").addObject().put("id", MODEL_ID).put("object", "model");
      respond(exchange, 200, "application/json", root.toString());
    } finally {
      exchange.close();
    }
  }

  private static String error(String message) {
    ObjectNode root = JSON.createObjectNode();
    root.putObject("error").put("message", message).put("type", "invalid_request_error");
    return root.toString();
  }

  static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }
}
