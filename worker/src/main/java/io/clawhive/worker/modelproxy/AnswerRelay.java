package io.clawhive.worker.modelproxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Relays an upstream answer to the gateway: an SSE stream line by line, bytes unchanged, flushed at
 * the end of every event, or a JSON body whole. Token counts are read from the {@code usage} the
 * answer carries. Past {@code maxBytes} (or the turn's deadline) an SSE stream is ended cleanly
 * with a last chunk ({@code finish_reason: "length"}, a short note) and {@code [DONE]}, so a
 * runaway answer never reaches the gateway whole.
 */
final class AnswerRelay {

  /** What one answer amounted to; tokens are -1 where the answer reported no usage. */
  record Outcome(long promptTokens, long completionTokens, long bytes, boolean cut) {
    boolean usageSeen() {
      return promptTokens >= 0;
    }
  }

  static final String CUT_NOTE = "\n\n[clawhive: the answer was cut here; it was too long]";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);

  private final long maxBytes;
  private final Instant deadline;
  private final String model;

  AnswerRelay(long maxBytes, Instant deadline, String model) {
    this.maxBytes = maxBytes;
    this.deadline = deadline;
    this.model = model;
  }

  /** Relays SSE until the upstream ends it or the cap is reached. */
  Outcome stream(InputStream upstream, OutputStream gateway) throws IOException {
    long prompt = -1;
    long completion = -1;
    long bytes = 0;
    boolean atBoundary = true;
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    while (readLine(upstream, line)) {
      byte[] raw = line.toByteArray();
      if (bytes + raw.length > maxBytes || Instant.now().isAfter(deadline)) {
        endCut(gateway, atBoundary);
        return new Outcome(prompt, completion, bytes, true);
      }
      gateway.write(raw);
      bytes += raw.length;
      boolean blank = isBlank(raw);
      if (blank) {
        gateway.flush();
      } else if (startsWith(raw, DATA)) {
        JsonNode usage = usageOf(raw);
        if (usage != null) {
          prompt = usage.path("prompt_tokens").asLong(0);
          completion = usage.path("completion_tokens").asLong(0);
        }
      }
      atBoundary = blank;
    }
    gateway.flush();
    return new Outcome(prompt, completion, bytes, false);
  }

  /** The body of a JSON answer, or null when it is larger than the cap. */
  byte[] readWhole(InputStream upstream) throws IOException {
    byte[] body = upstream.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
    return body.length > maxBytes ? null : body;
  }

  /** The usage a JSON answer reports. */
  static Outcome jsonOutcome(byte[] body) {
    try {
      JsonNode usage = JSON.readTree(body).path("usage");
      if (usage.isObject()) {
        return new Outcome(
            usage.path("prompt_tokens").asLong(0),
            usage.path("completion_tokens").asLong(0),
            body.length,
            false);
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: no usage to read
    }
    return new Outcome(-1, -1, body.length, false);
  }

  private void endCut(OutputStream gateway, boolean atBoundary) throws IOException {
    ObjectNode chunk = JSON.createObjectNode();
    chunk.put("id", "chatcmpl-clawhive-cut");
    chunk.put("object", "chat.completion.chunk");
    chunk.put("created", Instant.now().getEpochSecond());
    chunk.put("model", model);
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("delta").put("content", CUT_NOTE);
    choice.put("finish_reason", "length");
    String end = (atBoundary ? "" : "\n") + "data: " + chunk + "\n\ndata: [DONE]\n\n";
    gateway.write(end.getBytes(StandardCharsets.UTF_8));
    gateway.flush();
  }

  /** Reads up to and including the next {@code \n} (or to EOF); false at EOF with nothing read. */
  private boolean readLine(InputStream in, ByteArrayOutputStream line) throws IOException {
    line.reset();
    int b;
    while ((b = in.read()) >= 0) {
      line.write(b);
      if (b == '\n' || line.size() > maxBytes) {
        return true;
      }
    }
    return line.size() > 0;
  }

  private static JsonNode usageOf(byte[] raw) {
    String data = new String(raw, DATA.length, raw.length - DATA.length, StandardCharsets.UTF_8);
    if (!data.contains("\"usage\"")) {
      return null;
    }
    try {
      JsonNode usage = JSON.readTree(data.strip()).path("usage");
      return usage.isObject() ? usage : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static boolean isBlank(byte[] raw) {
    return raw.length == 1 && raw[0] == '\n' || raw.length == 2 && raw[0] == '\r' && raw[1] == '\n';
  }

  private static boolean startsWith(byte[] raw, byte[] prefix) {
    if (raw.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (raw[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
