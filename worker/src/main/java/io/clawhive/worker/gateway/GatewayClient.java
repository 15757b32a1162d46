package io.clawhive.worker.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * HTTP client of one gateway. Chat goes to {@code POST /v1/chat/completions} (bearer token, agent
 * {@value #MODEL}, OpenAI {@code user} = the tenant's stable session key, which keeps the
 * conversation). Health probes are not its job: see {@link
 * io.clawhive.worker.supervision.HealthProbe}. Failures are {@link GatewayUnavailableException}
 * (retryable) or {@link GatewayRejectedException} (permanent).
 */
public final class GatewayClient {

  public static final String MODEL = "openclaw/default";
  public static final String CHAT_PATH = "/v1/chat/completions";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** A turn includes the model's own time (first turn ≈ 3–9 s with a fast model). */
  public static final Duration DEFAULT_CHAT_TIMEOUT = Duration.ofMinutes(3);

  public static final String LOOPBACK_HOST = "127.0.0.1";

  /**
   * Characters of an answer kept by default (1 MiB of text); the rest is never read. See {@link
   * #chat(String, String, int)}.
   */
  public static final int DEFAULT_MAX_REPLY_CHARS = 1024 * 1024;

  /** Of an error body, only this much is read (its message is cut to 512 characters anyway). */
  static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

  private static final int MAX_ERROR_DETAIL_CHARS = 512;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final String instanceId;
  private final URI baseUri;
  private final String token;
  private final Duration chatTimeout;
  private final Clock clock;

  public GatewayClient(
      HttpClient http,
      String instanceId,
      URI baseUri,
      String token,
      Duration chatTimeout,
      Clock clock) {
    this.http = Objects.requireNonNull(http, "http");
    this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
    this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
    this.token = Objects.requireNonNull(token, "token");
    this.chatTimeout = Objects.requireNonNull(chatTimeout, "chatTimeout");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** A client for a gateway on {@code 127.0.0.1:port} with the default timeouts. */
  public static GatewayClient forLoopback(
      HttpClient http, String instanceId, int port, String token) {
    return forHost(http, instanceId, LOOPBACK_HOST, port, token);
  }

  /**
   * A client for a gateway on {@code host:port} with the default timeouts. The token goes to that
   * address only: pass the instance's own namespace address (see {@code Isolation.gatewayHost}),
   * where nothing but that instance's gateway can listen.
   */
  public static GatewayClient forHost(
      HttpClient http, String instanceId, String host, int port, String token) {
    return new GatewayClient(
        http,
        instanceId,
        URI.create("http://" + host + ":" + port),
        token,
        DEFAULT_CHAT_TIMEOUT,
        Clock.systemUTC());
  }

  /** One HTTP/1.1 client for all gateways of a worker, with the given connect timeout. */
  public static HttpClient newHttpClient(Duration connectTimeout) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  public String instanceId() {
    return instanceId;
  }

  /** Sends one user message in the conversation named by {@code sessionKey}. */
  public ChatReply chat(String sessionKey, String text) {
    return chat(sessionKey, text, DEFAULT_MAX_REPLY_CHARS);
  }

  /**
   * Sends one user message and reads the answer as it streams in, keeping at most {@code
   * maxReplyChars} characters of it: a longer answer comes back {@link ChatReply#cut() cut} and the
   * rest of the body is not read (the connection is closed). Heap per call is bounded by the cap,
   * whatever the gateway sends. The body must be complete within the chat timeout.
   */
  public ChatReply chat(String sessionKey, String text, int maxReplyChars) {
    if (maxReplyChars < 1) {
      throw new IllegalArgumentException("maxReplyChars must be >= 1");
    }
    if (sessionKey == null || sessionKey.isBlank()) {
      throw new IllegalArgumentException("sessionKey must not be blank");
    }
    HttpRequest request =
        HttpRequest.newBuilder(baseUri.resolve(CHAT_PATH))
            .timeout(chatTimeout)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(chatBody(sessionKey, text)))
            .build();
    Instant started = clock.instant();
    HttpResponse<InputStream> response = send(request, "chat");
    // the request timeout ends with the headers: a body that stalls is closed at the deadline
    AtomicBoolean timedOut = new AtomicBoolean();
    CompletableFuture<Void> watchdog =
        CompletableFuture.runAsync(
            () -> {
              timedOut.set(true);
              closeQuietly(response.body());
            },
            CompletableFuture.delayedExecutor(
                Math.max(
                    1, chatTimeout.minus(Duration.between(started, clock.instant())).toMillis()),
                TimeUnit.MILLISECONDS));
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      if (status != 200) {
        throw classify(status, errorDetail(readPrefix(body)));
      }
      ReplyReader.Result reply =
          ReplyReader.read(body, maxReplyChars, clock, started.plus(chatTimeout));
      Duration latency = Duration.between(started, clock.instant());
      if (reply.content() == null) {
        throw new GatewayRejectedException(
            instanceId, 200, "reply has no choices[0].message.content");
      }
      return new ChatReply(reply.id(), reply.content(), reply.finishReason(), latency, reply.cut());
    } catch (ReplyReader.MalformedReplyException e) {
      if (timedOut.get()) {
        throw timedOut();
      }
      throw new GatewayRejectedException(
          instanceId, 200, "reply is not JSON (" + e.getMessage() + "): " + truncate(e.start()));
    } catch (IOException e) {
      if (timedOut.get()) {
        throw timedOut();
      }
      throw new GatewayUnavailableException(instanceId, "chat reply failed: " + describe(e), e);
    } finally {
      watchdog.cancel(false);
    }
  }

  private GatewayUnavailableException timedOut() {
    return new GatewayUnavailableException(
        instanceId, "chat reply timed out: body not complete within " + chatTimeout, null);
  }

  private static void closeQuietly(InputStream body) {
    try {
      body.close();
    } catch (IOException e) {
      // closing only to unblock the reader
    }
  }

  private static String readPrefix(InputStream body) throws IOException {
    return new String(body.readNBytes(MAX_ERROR_BODY_BYTES), StandardCharsets.UTF_8);
  }

  private HttpResponse<InputStream> send(HttpRequest request, String what) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new GatewayUnavailableException(instanceId, what + " failed: " + describe(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GatewayUnavailableException(instanceId, what + " interrupted", e);
    }
  }

  private static String chatBody(String sessionKey, String text) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", MODEL);
    body.put("user", sessionKey);
    body.put("stream", false);
    body.putArray("messages").addObject().put("role", "user").put("content", text);
    return body.toString();
  }

  private GatewayException classify(int status, String detail) {
    String message = "HTTP " + status + (detail.isEmpty() ? "" : ": " + detail);
    if (status >= 500 || status == 429 || status == 408) {
      return new GatewayUnavailableException(instanceId, status, message, null);
    }
    return new GatewayRejectedException(instanceId, status, message);
  }

  private static String errorDetail(String body) {
    try {
      JsonNode message = JSON.readTree(body).path("error").path("message");
      if (message.isTextual()) {
        return truncate(message.asText());
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: fall back to the raw body
    }
    return truncate(body == null ? "" : body.strip());
  }

  private static String describe(IOException e) {
    if (e instanceof ConnectException) {
      return "connection refused";
    }
    if (e instanceof HttpTimeoutException) {
      return "timed out (" + e.getMessage() + ")";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  private static String truncate(String text) {
    return text.length() <= MAX_ERROR_DETAIL_CHARS
        ? text
        : text.substring(0, MAX_ERROR_DETAIL_CHARS) + "…";
  }
}
