package io.clawhive.worker.modelproxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards one chat-completions request to the upstream with the operator's key and relays the
 * answer ({@link AnswerRelay}). A streaming request gets {@code stream_options.include_usage} when
 * it lacks it (the gateway asks for it itself), so usage is counted; otherwise the body goes out
 * unchanged. Upstream errors pass through with their status and body (cut to the answer cap).
 */
final class ChatForwarder {

  private static final Logger LOG = LoggerFactory.getLogger(ChatForwarder.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String CHAT_PATH = "chat/completions";

  /** Estimated bytes per token where the answer reports no usage. */
  static final int BYTES_PER_TOKEN = 4;

  private final Upstream upstream;
  private final ModelProxySettings settings;
  private final ProxyMetrics metrics;

  ChatForwarder(Upstream upstream, ModelProxySettings settings, ProxyMetrics metrics) {
    this.upstream = upstream;
    this.settings = settings;
    this.metrics = metrics;
  }

  /** The parsed request, and the bytes to send upstream. */
  record Request(JsonNode body, byte[] bytes, boolean stream, String model) {}

  /** Parses the gateway's request; null when it is not a JSON object. */
  static Request parse(byte[] bytes) {
    JsonNode body;
    try {
      body = JSON.readTree(bytes);
    } catch (IOException e) {
      return null;
    }
    if (body == null || !body.isObject()) {
      return null;
    }
    boolean stream = body.path("stream").asBoolean(false);
    String model = body.path("model").asText("");
    if (stream && !body.path("stream_options").path("include_usage").asBoolean(false)) {
      ObjectNode changed = ((ObjectNode) body).deepCopy();
      changed.putObject("stream_options").put("include_usage", true);
      try {
        return new Request(changed, JSON.writeValueAsBytes(changed), true, model);
      } catch (IOException e) {
        return null;
      }
    }
    return new Request(body, bytes, stream, model);
  }

  /** Forwards and relays; returns what the turn used. */
  UsageLedger.Entry forward(HttpExchange exchange, Request request) throws IOException {
    HttpURLConnection connection;
    int status;
    try {
      connection = open(request.bytes().length);
      try (OutputStream out = connection.getOutputStream()) {
        out.write(request.bytes());
      }
      status = connection.getResponseCode();
    } catch (IOException e) {
      metrics.upstreamErrors.mark();
      LOG.warn("model provider {} unreachable: {}", upstream.baseUrl(), e.toString());
      ProxyErrors.send(
          exchange,
          502,
          "the model provider could not be reached (" + e.getClass().getSimpleName() + ")",
          "upstream_error",
          "upstream_unreachable");
      return UsageLedger.Entry.failure();
    }
    try (InputStream raw =
            status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        InputStream in =
            raw == null ? InputStream.nullInputStream() : new BufferedInputStream(raw)) {
      AnswerRelay relay =
          new AnswerRelay(
              settings.maxAnswerBytes(),
              Instant.now().plus(settings.turnTimeout()),
              request.model());
      String type = connection.getContentType();
      if (status == 200 && type != null && type.startsWith("text/event-stream")) {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        AnswerRelay.Outcome outcome;
        try {
          outcome = relay.stream(in, exchange.getResponseBody());
        } catch (IOException e) {
          metrics.upstreamErrors.mark();
          LOG.warn("model answer stream broke off: {}", e.toString());
          return UsageLedger.Entry.failure();
        }
        return entry(request, outcome);
      }
      byte[] body = relay.readWhole(in);
      if (body == null) {
        metrics.answersCut.mark();
        ProxyErrors.send(
            exchange,
            502,
            "the model's answer was larger than " + settings.maxAnswerBytes() + " bytes",
            "upstream_error",
            "answer_too_large");
        return UsageLedger.Entry.failure();
      }
      if (type != null) {
        exchange.getResponseHeaders().set("Content-Type", type);
      }
      exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        exchange.getResponseBody().write(body);
      }
      if (status >= 400) {
        metrics.upstreamErrors.mark();
        LOG.warn("model provider answered HTTP {} (passed on to the gateway)", status);
        return UsageLedger.Entry.failure();
      }
      return entry(request, AnswerRelay.jsonOutcome(body));
    } finally {
      connection.disconnect();
    }
  }

  private HttpURLConnection open(int length) throws IOException {
    HttpURLConnection connection =
        (HttpURLConnection)
            URI.create(upstream.resolve(CHAT_PATH)).toURL().openConnection(Proxy.NO_PROXY);
    connection.setConnectTimeout((int) settings.connectTimeout().toMillis());
    connection.setReadTimeout((int) settings.idleTimeout().toMillis());
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    connection.setFixedLengthStreamingMode(length);
    connection.setUseCaches(false);
    connection.setInstanceFollowRedirects(false);
    connection.setRequestProperty("Content-Type", "application/json");
    connection.setRequestProperty("Accept", "application/json, text/event-stream");
    if (!upstream.apiKey().isEmpty()) {
      connection.setRequestProperty("Authorization", "Bearer " + upstream.apiKey());
    }
    return connection;
  }

  private UsageLedger.Entry entry(Request request, AnswerRelay.Outcome outcome) {
    if (outcome.cut()) {
      metrics.answersCut.mark();
      LOG.warn(
          "model answer cut after {} bytes (cap {})", outcome.bytes(), settings.maxAnswerBytes());
    }
    long in =
        outcome.usageSeen() ? outcome.promptTokens() : request.bytes().length / BYTES_PER_TOKEN;
    long out = outcome.usageSeen() ? outcome.completionTokens() : outcome.bytes() / BYTES_PER_TOKEN;
    metrics.tokensIn.inc(in);
    metrics.tokensOut.inc(out);
    return new UsageLedger.Entry(1, in, out, 0, 0);
  }
}
