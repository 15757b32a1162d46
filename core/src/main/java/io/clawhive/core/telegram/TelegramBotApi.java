package io.clawhive.core.telegram;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small Telegram Bot API client over {@code java.net.http}: JSON in, telegrambots-meta types out.
 * 429 honours {@code retry_after}; 5xx and network failures are retried with back-off (see {@link
 * TelegramRetryPolicy}); other errors raise {@link TelegramApiException}. An answer of a shape this
 * client does not expect raises {@link TelegramUnexpectedAnswerException} (logged, counted as
 * {@value #UNEXPECTED_ANSWERS}, never retried). Updates are read one by one, so one update that
 * cannot be understood never hides the others (see {@link IncomingUpdate}). The bot token is part
 * of every URL but never of a log line or exception message. Thread-safe.
 */
public final class TelegramBotApi {

  public static final String DEFAULT_BASE_URL = "https://api.telegram.org";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** Extra time over a long poll's own timeout before the HTTP request gives up. */
  static final Duration LONG_POLL_GRACE = Duration.ofSeconds(10);

  public static final String TYPING = "typing";

  /** An upload of up to a few MB may take longer than a JSON call. */
  public static final Duration DOCUMENT_REQUEST_TIMEOUT = Duration.ofSeconds(120);

  /** Telegram's limit for a document's caption. */
  public static final int MAX_CAPTION_CHARS = 1024;

  /** Counter: Bot API answers of an unexpected shape (any method). */
  public static final String UNEXPECTED_ANSWERS = "telegram.api.answers.unexpected";

  /** Counter: getUpdates elements without a usable {@code update_id}, skipped. */
  public static final String UPDATES_WITHOUT_ID = "telegram.updates.without_id";

  private static final Logger LOG = LoggerFactory.getLogger(TelegramBotApi.class);
  private static final String REDACTED = "<bot-token>";

  private final HttpClient http;
  private final String baseUrl;
  private final String token;
  private final TelegramRetryPolicy retry;
  private final Sleeper sleeper;
  private final ObjectMapper json = new ObjectMapper();
  private final UpdateReader reader = new UpdateReader();
  private final Counter unexpectedAnswers;
  private final Counter updatesWithoutId;

  /** Waits between retries; tests may substitute a recording one. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  /** A client whose counters are not registered anywhere (tools and tests). */
  public TelegramBotApi(String baseUrl, String token) {
    this(baseUrl, token, new MetricRegistry());
  }

  public TelegramBotApi(String baseUrl, String token, MetricRegistry metrics) {
    this(
        newHttpClient(),
        baseUrl,
        token,
        TelegramRetryPolicy.defaults(),
        d -> Thread.sleep(d.toMillis()),
        metrics);
  }

  public TelegramBotApi(
      HttpClient http, String baseUrl, String token, TelegramRetryPolicy retry, Sleeper sleeper) {
    this(http, baseUrl, token, retry, sleeper, new MetricRegistry());
  }

  public TelegramBotApi(
      HttpClient http,
      String baseUrl,
      String token,
      TelegramRetryPolicy retry,
      Sleeper sleeper,
      MetricRegistry metrics) {
    this.http = Objects.requireNonNull(http, "http");
    this.baseUrl = stripSlash(Objects.requireNonNull(baseUrl, "baseUrl"));
    this.token = Objects.requireNonNull(token, "token");
    if (token.isBlank()) {
      throw new IllegalArgumentException("bot token must not be blank");
    }
    this.retry = Objects.requireNonNull(retry, "retry");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.unexpectedAnswers = metrics.counter(UNEXPECTED_ANSWERS);
    this.updatesWithoutId = metrics.counter(UPDATES_WITHOUT_ID);
  }

  public static HttpClient newHttpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(DEFAULT_CONNECT_TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** The bot's numeric id: the part of the token before ':' (public, safe to log and store). */
  public String botId() {
    int colon = token.indexOf(':');
    return colon > 0 ? token.substring(0, colon) : "bot";
  }

  /**
   * Long poll: updates from {@code offset} on, waiting up to {@code timeout} for the first. Each
   * element is read on its own: one not understood comes back as such (with its reason), between
   * the others. Elements without a usable {@code update_id} are skipped (logged, counted as {@value
   * #UPDATES_WITHOUT_ID}); a batch of only such elements is an unexpected answer, since the offset
   * could not move past it.
   */
  public List<IncomingUpdate> getUpdates(
      long offset, Duration timeout, List<String> allowedUpdates) {
    ObjectNode params = json.createObjectNode();
    params.put("offset", offset);
    params.put("timeout", timeout.toSeconds());
    params.set("allowed_updates", json.valueToTree(allowedUpdates));
    JsonNode result = call("getUpdates", params, timeout.plus(LONG_POLL_GRACE));
    if (!result.isArray()) {
      throw unexpected("getUpdates", 200, true, "result is not an array");
    }
    List<IncomingUpdate> updates = new ArrayList<>();
    for (JsonNode node : result) {
      Optional<IncomingUpdate> update = reader.read(node);
      if (update.isPresent()) {
        updates.add(update.get());
      } else {
        updatesWithoutId.inc();
        LOG.warn("getUpdates returned an element without a usable update_id; skipped");
      }
    }
    if (updates.isEmpty() && !result.isEmpty()) {
      throw unexpected("getUpdates", 200, true, "no element has a usable update_id");
    }
    return updates;
  }

  /**
   * Reads one update as Telegram sends it (webhook body or getUpdates element), understood or not;
   * empty when it has no usable {@code update_id}.
   */
  public Optional<IncomingUpdate> readUpdate(JsonNode node) {
    return reader.read(node);
  }

  /** Who this bot is ({@code getMe}): its user id and username. */
  public BotUser getMe() {
    JsonNode result = call("getMe", json.createObjectNode(), DEFAULT_REQUEST_TIMEOUT);
    JsonNode id = result.path("id");
    JsonNode username = result.path("username");
    if (!result.isObject()
        || !id.isIntegralNumber()
        || !result.path("is_bot").isBoolean()
        || !(username.isMissingNode() || username.isTextual())) {
      throw unexpected("getMe", 200, true, "result is not a bot user");
    }
    return new BotUser(id.asLong(), username.isTextual() ? username.asText() : null);
  }

  /**
   * Sends {@code text}, split at paragraph/line boundaries into pieces of at most {@value
   * MessageSplitter#MAX_MESSAGE_CHARS} characters, in order. The first piece replies to {@code
   * replyToMessageId} when given. Returns the number of messages sent. If Telegram accepts a piece
   * but answers oddly, the remaining pieces are still sent, then {@link
   * TelegramUnexpectedAnswerException} (accepted) is thrown: everything was delivered.
   */
  public int sendMessage(long chatId, String text, Integer replyToMessageId) {
    List<String> pieces = MessageSplitter.split(text);
    TelegramUnexpectedAnswerException odd = null;
    for (int i = 0; i < pieces.size(); i++) {
      ObjectNode params = json.createObjectNode();
      params.put("chat_id", chatId);
      params.put("text", pieces.get(i));
      if (i == 0 && replyToMessageId != null) {
        params
            .putObject("reply_parameters")
            .put("message_id", replyToMessageId)
            .put("allow_sending_without_reply", true);
      }
      JsonNode sent = call("sendMessage", params, DEFAULT_REQUEST_TIMEOUT);
      if (odd == null && (!sent.isObject() || !sent.path("message_id").isIntegralNumber())) {
        odd = unexpected("sendMessage", 200, true, "result is not a message");
      }
    }
    if (odd != null) {
      throw odd;
    }
    return pieces.size();
  }

  /**
   * Sends {@code content} as a file named {@code fileName} ({@code sendDocument}, a
   * multipart/form-data upload; bots may send up to 50 MB), with an optional {@code caption} (≤
   * {@value #MAX_CAPTION_CHARS} characters), replying to {@code replyToMessageId} when given.
   * Retried like every call (429 honours {@code retry_after}). If Telegram accepts it but answers
   * oddly, {@link TelegramUnexpectedAnswerException} (accepted) is thrown.
   */
  public void sendDocument(
      long chatId, String fileName, byte[] content, String caption, Integer replyToMessageId) {
    if (caption != null && caption.length() > MAX_CAPTION_CHARS) {
      throw new IllegalArgumentException("caption longer than " + MAX_CAPTION_CHARS);
    }
    Multipart form = new Multipart();
    form.field("chat_id", Long.toString(chatId));
    if (caption != null && !caption.isEmpty()) {
      form.field("caption", caption);
    }
    if (replyToMessageId != null) {
      ObjectNode reply = json.createObjectNode();
      reply.put("message_id", replyToMessageId).put("allow_sending_without_reply", true);
      form.field("reply_parameters", reply.toString());
    }
    form.file("document", fileName, "text/markdown", content);
    JsonNode sent = call("sendDocument", form.toBody(), DOCUMENT_REQUEST_TIMEOUT);
    if (!sent.isObject() || !sent.path("message_id").isIntegralNumber()) {
      throw unexpected("sendDocument", 200, true, "result is not a message");
    }
  }

  /** Shows "typing…" in the chat for about five seconds (or until a message arrives). */
  public void sendTyping(long chatId) {
    ObjectNode params = json.createObjectNode();
    params.put("chat_id", chatId);
    params.put("action", TYPING);
    expectTrue("sendChatAction", call("sendChatAction", params, DEFAULT_REQUEST_TIMEOUT));
  }

  public void setWebhook(
      String url, String secretToken, List<String> allowedUpdates, int maxConnections) {
    ObjectNode params = json.createObjectNode();
    params.put("url", url);
    params.put("secret_token", secretToken);
    params.set("allowed_updates", json.valueToTree(allowedUpdates));
    params.put("max_connections", maxConnections);
    expectTrue("setWebhook", call("setWebhook", params, DEFAULT_REQUEST_TIMEOUT));
  }

  /** Removes the webhook (needed before getUpdates works); pending updates are kept. */
  public void deleteWebhook() {
    ObjectNode params = json.createObjectNode();
    params.put("drop_pending_updates", false);
    expectTrue("deleteWebhook", call("deleteWebhook", params, DEFAULT_REQUEST_TIMEOUT));
  }

  private void expectTrue(String method, JsonNode result) {
    if (!result.isBoolean() || !result.asBoolean()) {
      throw unexpected(method, 200, true, "result is not true");
    }
  }

  private TelegramUnexpectedAnswerException unexpected(
      String method, int status, boolean accepted, String problem) {
    unexpectedAnswers.inc();
    TelegramUnexpectedAnswerException failure =
        new TelegramUnexpectedAnswerException(method, status, accepted, problem);
    LOG.warn("{}{}", failure.getMessage(), accepted ? " (Telegram said ok)" : "");
    return failure;
  }

  private JsonNode call(String method, ObjectNode params, Duration timeout) {
    return call(method, new Body("application/json", params.toString().getBytes(UTF_8)), timeout);
  }

  private JsonNode call(String method, Body body, Duration timeout) {
    int rateLimitWaits = 0;
    int serverFailures = 0;
    while (true) {
      Outcome outcome = once(method, body, timeout);
      if (outcome.result != null) {
        return outcome.result;
      }
      TelegramApiException failure = outcome.failure;
      Duration wait;
      if (outcome.retryAfter != null && rateLimitWaits < retry.maxRateLimitWaits()) {
        rateLimitWaits++;
        wait = min(outcome.retryAfter, retry.maxRetryAfter());
        LOG.warn(
            "Bot API {} rate-limited (429): waiting {} s as Telegram asks",
            method,
            wait.toSeconds());
      } else if (outcome.retryAfter == null
          && failure.retryable()
          && serverFailures < retry.maxServerRetries()) {
        serverFailures++;
        wait = retry.backoffAfter(serverFailures);
        LOG.warn(
            "{}; retry {} of {} in {} ms",
            failure.getMessage(),
            serverFailures,
            retry.maxServerRetries(),
            wait.toMillis());
      } else {
        throw failure;
      }
      pause(method, wait);
    }
  }

  private Outcome once(String method, Body body, Duration timeout) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/bot" + token + "/" + method))
            .timeout(timeout)
            .header("Content-Type", body.contentType())
            .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()))
            .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return Outcome.failed(
          new TelegramApiException(
              method, TelegramApiException.NO_ANSWER, true, redact(e.toString()), null));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TelegramApiException(
          method, TelegramApiException.NO_ANSWER, false, "interrupted", null);
    }
    return interpret(method, response.statusCode(), response.body());
  }

  private Outcome interpret(String method, int status, String body) {
    JsonNode root;
    try {
      root = json.readTree(body);
    } catch (IOException e) {
      root = null;
    }
    if (status == 200 && root != null && root.path("ok").asBoolean(false)) {
      return Outcome.ok(root.path("result"));
    }
    if (status < 300 && (root == null || !root.isObject() || !root.path("ok").isBoolean())) {
      return Outcome.failed(
          unexpected(method, status, false, "body is not a Bot API answer (no \"ok\")"));
    }
    int code = root != null && root.has("error_code") ? root.path("error_code").asInt() : status;
    String description =
        root != null ? root.path("description").asText("HTTP " + status) : "HTTP " + status;
    boolean retryable = code == 429 || code >= 500 || status >= 500;
    TelegramApiException failure =
        new TelegramApiException(method, code, retryable, code + " " + redact(description), null);
    JsonNode retryAfter = root == null ? null : root.path("parameters").get("retry_after");
    if (code == 429) {
      long seconds = retryAfter != null && retryAfter.canConvertToLong() ? retryAfter.asLong() : 1;
      return Outcome.rateLimited(failure, Duration.ofSeconds(Math.max(seconds, 0)));
    }
    return Outcome.failed(failure);
  }

  private void pause(String method, Duration wait) {
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TelegramApiException(
          method, TelegramApiException.NO_ANSWER, false, "interrupted while waiting to retry", e);
    }
  }

  private String redact(String text) {
    return text == null ? "" : text.replace(token, REDACTED);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  @Override
  public String toString() {
    return "TelegramBotApi[" + baseUrl + ", bot " + botId() + "]";
  }

  /** A request body and its content type. */
  private record Body(String contentType, byte[] bytes) {}

  /** A multipart/form-data body: text fields and one file. */
  private static final class Multipart {
    private final String boundary = "clawhive-" + UUID.randomUUID();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void field(String name, String value) {
      write("--" + boundary + "\r\n");
      write("Content-Disposition: form-data; name=\"" + name + "\"\r\n\r\n");
      write(value);
      write("\r\n");
    }

    void file(String name, String fileName, String contentType, byte[] content) {
      write("--" + boundary + "\r\n");
      write(
          "Content-Disposition: form-data; name=\""
              + name
              + "\"; filename=\""
              + fileName.replace("\"", "")
              + "\"\r\n");
      write("Content-Type: " + contentType + "\r\n\r\n");
      out.writeBytes(content);
      write("\r\n");
    }

    Body toBody() {
      write("--" + boundary + "--\r\n");
      return new Body("multipart/form-data; boundary=" + boundary, out.toByteArray());
    }

    private void write(String text) {
      out.writeBytes(text.getBytes(UTF_8));
    }
  }

  private record Outcome(JsonNode result, TelegramApiException failure, Duration retryAfter) {
    static Outcome ok(JsonNode result) {
      return new Outcome(result, null, null);
    }

    static Outcome failed(TelegramApiException failure) {
      return new Outcome(null, failure, null);
    }

    static Outcome rateLimited(TelegramApiException failure, Duration retryAfter) {
      return new Outcome(null, failure, retryAfter);
    }
  }
}
