package io.clawhive.core.reply;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Objects;

/**
 * The worker's answer to a chat request made over HTTP: the agent's {@code text}, or an {@code
 * error} a person can read (then {@code text} is null).
 */
public record HttpReply(String correlationId, long tenant, String text, String error) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public HttpReply {
    Objects.requireNonNull(correlationId, "correlationId");
    if ((text == null) == (error == null)) {
      throw new IllegalArgumentException("exactly one of text and error must be set");
    }
  }

  public static HttpReply answer(String correlationId, long tenant, String text) {
    return new HttpReply(correlationId, tenant, text, null);
  }

  public static HttpReply failure(String correlationId, long tenant, String error) {
    return new HttpReply(correlationId, tenant, null, error);
  }

  public boolean failed() {
    return error != null;
  }

  public byte[] encode() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode reply " + correlationId, e);
    }
  }

  public static HttpReply decode(byte[] bytes) throws IOException {
    return JSON.readValue(bytes, HttpReply.class);
  }
}
