package io.clawhive.core.telegram;

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
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A Telegram Bot API server for tests: real HTTP on 127.0.0.1, paths {@code /bot<token>/<method>}
 * with JSON bodies, answers shaped like Telegram's. Serves {@code getUpdates} from a queue (offset
 * confirms, long polling up to a short cap), records {@code sendMessage}, {@code sendDocument}
 * (multipart/form-data, parsed from the bytes), {@code sendChatAction}, {@code setWebhook} and
 * {@code deleteWebhook}, answers {@code getMe}, and can answer the next calls of a method with 429
 * ({@code retry_after}), 5xx or a raw body of any shape.
 */
public final class FakeTelegramBotApi implements AutoCloseable {

  /** Long polls are held at most this long, whatever timeout the client asked for. */
  static final long MAX_HOLD_MILLIS = 500;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One message the bot sent. */
  public record Sent(long chatId, String text, Integer replyTo, long at) {}

  /** One document the bot sent ({@code sendDocument}, multipart upload). */
  public record Document(
      long chatId,
      String fileName,
      String contentType,
      byte[] content,
      String caption,
      Integer replyTo,
      long at) {
    /** The file's content as UTF-8 text. */
    public String text() {
      return new String(content, StandardCharsets.UTF_8);
    }
  }

  /** One chat action the bot sent. */
  public record Action(long chatId, String action) {}

  /** Calls of a method whose parameters match get 429 with {@code retryAfter}. */
  private record RateLimitRule(Predicate<JsonNode> matches, int retryAfter) {}

  /** A queued answer instead of the normal one: an error, or {@code body} sent as is. */
  private record Failure(int status, Integer retryAfter, String body) {}

  private final String token;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(16);
  private final List<JsonNode> updates = new ArrayList<>();
  // not copy-on-write: a benchmark records ~10^5 sends
  private final List<Sent> sent = Collections.synchronizedList(new ArrayList<>());
  private volatile Consumer<Sent> sentListener = s -> {};
  private final List<Action> actions = new CopyOnWriteArrayList<>();
  private final List<Document> documents = new CopyOnWriteArrayList<>();
  private final List<JsonNode> webhookCalls = new CopyOnWriteArrayList<>();
  private final Map<String, ConcurrentLinkedDeque<Failure>> failures = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private final Map<String, RateLimitRule> rateLimitRules = new ConcurrentHashMap<>();
  private final AtomicLong messageIds = new AtomicLong(1000);

  public FakeTelegramBotApi(String token) throws IOException {
    this.token = token;
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  // ---- feeding updates -------------------------------------------------------------------

  /** Queues a raw update for getUpdates. */
  public synchronized void addUpdate(JsonNode update) {
    updates.add(update);
    notifyAll();
  }

  /** A private text message from user {@code userId} (chat id = user id). */
  public static ObjectNode textUpdate(long updateId, long userId, String text) {
    ObjectNode update = JSON.createObjectNode();
    update.put("update_id", updateId);
    ObjectNode message = update.putObject("message");
    message.put("message_id", updateId);
    message.put("date", System.currentTimeMillis() / 1000);
    ObjectNode from = message.putObject("from");
    from.put("id", userId).put("is_bot", false).put("first_name", "U" + userId);
    from.put("username", "user" + userId);
    message.putObject("chat").put("id", userId).put("type", "private");
    message.put("text", text);
    if (text.startsWith("/")) {
      int end = text.indexOf(' ') < 0 ? text.length() : text.indexOf(' ');
      ArrayNode entities = message.putArray("entities");
      entities.addObject().put("type", "bot_command").put("offset", 0).put("length", end);
    }
    return update;
  }

  /**
   * A private text message that this client cannot understand although its {@code update_id} is
   * fine: {@code chat.id} and {@code date} are strings of words.
   */
  public static ObjectNode unparsableUpdate(long updateId, long userId, String text) {
    ObjectNode update = textUpdate(updateId, userId, text);
    ObjectNode message = (ObjectNode) update.path("message");
    message.put("date", "yesterday");
    ((ObjectNode) message.path("chat")).put("id", "chat-" + userId);
    return update;
  }

  /**
   * A private text message (a command, so that it has entities) with fields no Bot API version has,
   * at the top level and in message, from, chat and the entity.
   */
  public static ObjectNode updateWithUnknownFields(long updateId, long userId, String command) {
    ObjectNode update = textUpdate(updateId, userId, command);
    update.put("future_top_level", "x");
    ObjectNode message = (ObjectNode) update.path("message");
    message.putObject("future_message_field").put("nested", true);
    ((ObjectNode) message.path("from")).put("future_from_field", 7);
    ((ObjectNode) message.path("chat")).putArray("future_chat_field").add(1);
    ((ObjectNode) message.path("entities").path(0)).put("future_entity_field", "y");
    return update;
  }

  /** Updates not yet confirmed by a getUpdates offset. */
  public synchronized int pendingUpdates() {
    return updates.size();
  }

  // ---- failure injection -----------------------------------------------------------------

  /** The next {@code count} calls of {@code method} get HTTP 429 with {@code retry_after}. */
  public void rateLimitNext(String method, int count, int retryAfterSeconds) {
    for (int i = 0; i < count; i++) {
      queue(method).add(new Failure(429, retryAfterSeconds, null));
    }
  }

  /** The next {@code count} calls of {@code method} get HTTP {@code status} (e.g. 502). */
  public void failNext(String method, int count, int status) {
    for (int i = 0; i < count; i++) {
      queue(method).add(new Failure(status, null, null));
    }
  }

  /**
   * The next call of {@code method} gets HTTP 200 with {@code body} as is (e.g. {@code
   * {"ok":true,"result":"surprise"}} or not JSON at all); the call itself has no effect.
   */
  public void answerNextRaw(String method, String body) {
    queue(method).add(new Failure(200, null, body));
  }

  /**
   * From now on, every call of {@code method} whose JSON parameters {@code matches} gets HTTP 429
   * with {@code retry_after} (and has no effect), until {@link #stopRateLimiting}. The predicate
   * may keep state (e.g. refuse every other matching call); it runs on the server's threads.
   */
  public void rateLimitWhile(String method, Predicate<JsonNode> matches, int retryAfterSeconds) {
    rateLimitRules.put(method, new RateLimitRule(matches, retryAfterSeconds));
  }

  public void stopRateLimiting(String method) {
    rateLimitRules.remove(method);
  }

  private Deque<Failure> queue(String method) {
    return failures.computeIfAbsent(method, m -> new ConcurrentLinkedDeque<>());
  }

  // ---- what the bot did ------------------------------------------------------------------

  public List<Sent> sent() {
    synchronized (sent) {
      return List.copyOf(sent);
    }
  }

  public List<Sent> sentTo(long chatId) {
    return sent().stream().filter(s -> s.chatId() == chatId).toList();
  }

  /** Calls {@code listener} on the server's thread for every message sent from now on. */
  public void onSent(Consumer<Sent> listener) {
    this.sentListener = listener;
  }

  public List<Document> documents() {
    return List.copyOf(documents);
  }

  public List<Document> documentsTo(long chatId) {
    return documents().stream().filter(d -> d.chatId() == chatId).toList();
  }

  public List<Action> actions() {
    return List.copyOf(actions);
  }

  public List<JsonNode> webhookCalls() {
    return List.copyOf(webhookCalls);
  }

  /** Calls of {@code method} received, including failed ones. */
  public long calls(String method) {
    AtomicLong count = calls.get(method);
    return count == null ? 0 : count.get();
  }

  // ---- protocol --------------------------------------------------------------------------

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String prefix = "/bot" + token + "/";
      if (!path.startsWith(prefix)) {
        error(exchange, 401, "Unauthorized", null);
        return;
      }
      String method = path.substring(prefix.length());
      calls.computeIfAbsent(method, m -> new AtomicLong()).incrementAndGet();
      byte[] raw = exchange.getRequestBody().readAllBytes();
      String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
      Map<String, Part> parts =
          contentType != null && contentType.startsWith("multipart/form-data")
              ? Part.parse(raw, contentType)
              : Map.of();
      JsonNode params =
          raw.length == 0 || !parts.isEmpty() ? Part.fields(parts) : JSON.readTree(raw);
      Deque<Failure> queued = failures.get(method);
      Failure failure = queued == null ? null : queued.poll();
      if (failure != null && failure.body() != null) {
        send(exchange, 200, failure.body().getBytes(StandardCharsets.UTF_8));
        return;
      }
      RateLimitRule rule = rateLimitRules.get(method);
      if (failure == null && rule != null && rule.matches().test(params)) {
        failure = new Failure(429, rule.retryAfter(), null);
      }
      if (failure != null) {
        error(
            exchange,
            failure.status(),
            failure.status() == 429 ? "Too Many Requests: retry later" : "Internal Server Error",
            failure.retryAfter());
        return;
      }
      switch (method) {
        case "getUpdates" -> ok(exchange, getUpdates(params));
        case "sendMessage" -> ok(exchange, sendMessage(params));
        case "sendDocument" -> {
          Part file = parts.get("document");
          if (file == null || file.fileName() == null) {
            error(exchange, 400, "Bad Request: there is no document in the request", null);
            return;
          }
          ok(exchange, sendDocument(params, file));
        }
        case "getMe" -> ok(exchange, getMe());
        case "sendChatAction" -> {
          actions.add(new Action(params.path("chat_id").asLong(), params.path("action").asText()));
          ok(exchange, JSON.getNodeFactory().booleanNode(true));
        }
        case "setWebhook", "deleteWebhook" -> {
          ObjectNode call = JSON.createObjectNode().put("method", method);
          call.set("params", params);
          webhookCalls.add(call);
          ok(exchange, JSON.getNodeFactory().booleanNode(true));
        }
        default -> error(exchange, 404, "Not Found: method not found", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized JsonNode getUpdates(JsonNode params) throws InterruptedException {
    long offset = params.path("offset").asLong(0);
    updates.removeIf(u -> u.path("update_id").asLong() < offset);
    long hold = Math.min(params.path("timeout").asLong(0) * 1000, MAX_HOLD_MILLIS);
    long deadline = System.currentTimeMillis() + hold;
    while (updates.isEmpty() && System.currentTimeMillis() < deadline) {
      wait(Math.max(1, deadline - System.currentTimeMillis()));
    }
    ArrayNode result = JSON.createArrayNode();
    updates.stream().limit(100).forEach(result::add);
    return result;
  }

  private JsonNode sendMessage(JsonNode params) {
    long chatId = params.path("chat_id").asLong();
    String text = params.path("text").asText();
    JsonNode replyTo = params.path("reply_parameters").path("message_id");
    Sent one =
        new Sent(chatId, text, replyTo.isMissingNode() ? null : replyTo.asInt(), System.nanoTime());
    sent.add(one);
    sentListener.accept(one);
    ObjectNode message = JSON.createObjectNode();
    message.put("message_id", messageIds.incrementAndGet());
    message.put("date", System.currentTimeMillis() / 1000);
    message.putObject("chat").put("id", chatId).put("type", "private");
    message.put("text", text);
    return message;
  }

  private JsonNode sendDocument(JsonNode params, Part file) throws IOException {
    long chatId = params.path("chat_id").asLong();
    JsonNode reply = params.path("reply_parameters");
    Integer replyTo =
        reply.isMissingNode() ? null : JSON.readTree(reply.asText()).path("message_id").asInt();
    documents.add(
        new Document(
            chatId,
            file.fileName(),
            file.contentType(),
            file.content(),
            params.path("caption").isMissingNode() ? null : params.path("caption").asText(),
            replyTo,
            System.nanoTime()));
    ObjectNode message = JSON.createObjectNode();
    message.put("message_id", messageIds.incrementAndGet());
    message.put("date", System.currentTimeMillis() / 1000);
    message.putObject("chat").put("id", chatId).put("type", "private");
    message.putObject("document").put("file_name", file.fileName());
    return message;
  }

  /** One part of a multipart/form-data body. */
  private record Part(String name, String fileName, String contentType, byte[] content) {

    static Map<String, Part> parse(byte[] body, String contentType) {
      String boundary = contentType.substring(contentType.indexOf("boundary=") + 9).strip();
      // ISO-8859-1 maps bytes 1:1 to chars, so indexes are byte offsets
      String text = new String(body, StandardCharsets.ISO_8859_1);
      String delimiter = "--" + boundary;
      Map<String, Part> parts = new java.util.LinkedHashMap<>();
      int at = text.indexOf(delimiter);
      while (at >= 0 && !text.startsWith("--", at + delimiter.length())) {
        int headersStart = at + delimiter.length() + 2;
        int headersEnd = text.indexOf("\r\n\r\n", headersStart);
        int next = text.indexOf("\r\n" + delimiter, headersEnd);
        if (headersEnd < 0 || next < 0) {
          break;
        }
        String headers = text.substring(headersStart, headersEnd);
        byte[] content = java.util.Arrays.copyOfRange(body, headersEnd + 4, next);
        String name = attribute(headers, "name");
        parts.put(
            name,
            new Part(
                name, attribute(headers, "filename"), header(headers, "Content-Type"), content));
        at = next + 2;
      }
      return parts;
    }

    static ObjectNode fields(Map<String, Part> parts) {
      ObjectNode fields = JSON.createObjectNode();
      parts.values().stream()
          .filter(p -> p.fileName() == null)
          .forEach(p -> fields.put(p.name(), new String(p.content(), StandardCharsets.UTF_8)));
      return fields;
    }

    private static String attribute(String headers, String key) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("[; ]" + key + "=\"([^\"]*)\"").matcher(headers);
      return m.find() ? m.group(1) : null;
    }

    private static String header(String headers, String name) {
      for (String line : headers.split("\r\n")) {
        if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
          return line.substring(name.length() + 1).strip();
        }
      }
      return null;
    }
  }

  private JsonNode getMe() {
    ObjectNode me = JSON.createObjectNode();
    me.put("id", Long.parseLong(token.substring(0, Math.max(token.indexOf(':'), 0))));
    me.put("is_bot", true).put("first_name", "Test bot").put("username", "clawhive_test_bot");
    return me;
  }

  private static void ok(HttpExchange exchange, JsonNode result) throws IOException {
    ObjectNode body = JSON.createObjectNode().put("ok", true);
    body.set("result", result);
    send(exchange, 200, body);
  }

  private static void error(
      HttpExchange exchange, int status, String description, Integer retryAfter)
      throws IOException {
    ObjectNode body = JSON.createObjectNode().put("ok", false).put("error_code", status);
    body.put("description", description);
    if (retryAfter != null) {
      body.putObject("parameters").put("retry_after", retryAfter);
    }
    send(exchange, status, body);
  }

  private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
    send(exchange, status, JSON.writeValueAsBytes(body));
  }

  private static void send(HttpExchange exchange, int status, byte[] bytes) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() throws InterruptedException {
    synchronized (this) {
      notifyAll();
    }
    server.stop(0);
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
  }
}
