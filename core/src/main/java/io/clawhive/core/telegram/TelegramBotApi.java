package io.clawhive.core.telegram;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.meta.api.objects.Update;

/**
 * A small Telegram Bot API client over {@code java.net.http}: JSON in, telegrambots-meta types out.
 * 429 honours {@code retry_after}; 5xx and network failures are retried with back-off (see {@link
 * TelegramRetryPolicy}); other errors raise {@link TelegramApiException}. The bot token is part of
 * every URL but never of a log line or exception message. Thread-safe.
 */
public final class TelegramBotApi {

  public static final String DEFAULT_BASE_URL = "https://api.telegram.org";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** Extra time over a long poll's own timeout before the HTTP request gives up. */
  static final Duration LONG_POLL_GRACE = Duration.ofSeconds(10);

  public static final String TYPING = "typing";
  private static final Logger LOG = LoggerFactory.getLogger(TelegramBotApi.class);
  private static final String REDACTED = "<bot-token>";

  private final HttpClient http;
  private final String baseUrl;
  private final String token;
  private final TelegramRetryPolicy retry;
  private final Sleeper sleeper;
  private final ObjectMapper json =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Waits between retries; tests may substitute a recording one. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  public TelegramBotApi(String baseUrl, String token) {
    this(
        newHttpClient(),
        baseUrl,
        token,
        TelegramRetryPolicy.defaults(),
        d -> Thread.sleep(d.toMillis()));
  }

  public TelegramBotApi(
      HttpClient http, String baseUrl, String token, TelegramRetryPolicy retry, Sleeper sleeper) {
    this.http = Objects.requireNonNull(http, "http");
    this.baseUrl = stripSlash(Objects.requireNonNull(baseUrl, "baseUrl"));
    this.token = Objects.requireNonNull(token, "token");
    if (token.isBlank()) {
      throw new IllegalArgumentException("bot token must not be blank");
    }
    this.retry = Objects.requireNonNull(retry, "retry");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
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

  /** Long poll: updates from {@code offset} on, waiting up to {@code timeout} for the first. */
  public List<Update> getUpdates(long offset, Duration timeout, List<String> allowedUpdates) {
    ObjectNode params = json.createObjectNode();
    params.put("offset", offset);
    params.put("timeout", timeout.toSeconds());
    params.set("allowed_updates", json.valueToTree(allowedUpdates));
    JsonNode result = call("getUpdates", params, timeout.plus(LONG_POLL_GRACE));
    List<Update> updates = new ArrayList<>();
    for (JsonNode node : result) {
      updates.add(parseUpdate(node));
    }
    return updates;
  }

  /** Parses one update as Telegram sends it (webhook body or getUpdates element). */
  public Update parseUpdate(JsonNode node) {
    try {
      return json.treeToValue(node, Update.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a Telegram update: " + e.getMessage(), e);
    }
  }

  /**
   * Sends {@code text}, split at paragraph/line boundaries into pieces of at most {@value
   * MessageSplitter#MAX_MESSAGE_CHARS} characters, in order. The first piece replies to {@code
   * replyToMessageId} when given. Returns the number of messages sent.
   */
  public int sendMessage(long chatId, String text, Integer replyToMessageId) {
    List<String> pieces = MessageSplitter.split(text);
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
      call("sendMessage", params, DEFAULT_REQUEST_TIMEOUT);
    }
    return pieces.size();
  }

  /** Shows "typing…" in the chat for about five seconds (or until a message arrives). */
  public void sendTyping(long chatId) {
    ObjectNode params = json.createObjectNode();
    params.put("chat_id", chatId);
    params.put("action", TYPING);
    call("sendChatAction", params, DEFAULT_REQUEST_TIMEOUT);
  }

  public void setWebhook(
      String url, String secretToken, List<String> allowedUpdates, int maxConnections) {
    ObjectNode params = json.createObjectNode();
    params.put("url", url);
    params.put("secret_token", secretToken);
    params.set("allowed_updates", json.valueToTree(allowedUpdates));
    params.put("max_connections", maxConnections);
    call("setWebhook", params, DEFAULT_REQUEST_TIMEOUT);
  }

  /** Removes the webhook (needed before getUpdates works); pending updates are kept. */
  public void deleteWebhook() {
    ObjectNode params = json.createObjectNode();
    params.put("drop_pending_updates", false);
    call("deleteWebhook", params, DEFAULT_REQUEST_TIMEOUT);
  }

  private JsonNode call(String method, ObjectNode params, Duration timeout) {
    int rateLimitWaits = 0;
    int serverFailures = 0;
    while (true) {
      Outcome outcome = once(method, params, timeout);
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

  private Outcome once(String method, ObjectNode params, Duration timeout) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl + "/bot" + token + "/" + method))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(params.toString()))
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
