package io.clawhive.core.task;

import java.util.Objects;

/**
 * Where the answer to a {@link RouteMessage} goes: back into the Telegram chat (optionally as a
 * reply to {@code messageId}), or to the HTTP request waiting under {@code correlationId}.
 */
public record ReplyTo(Channel channel, Integer messageId, String correlationId) {

  /** The way an answer travels back. */
  public enum Channel {
    TELEGRAM,
    HTTP
  }

  public ReplyTo {
    Objects.requireNonNull(channel, "channel");
    if (channel == Channel.HTTP) {
      TaskChecks.requiredText(correlationId, "correlationId");
    }
  }

  public static ReplyTo telegram(Integer messageId) {
    return new ReplyTo(Channel.TELEGRAM, messageId, null);
  }

  public static ReplyTo http(String correlationId) {
    return new ReplyTo(Channel.HTTP, null, correlationId);
  }
}
