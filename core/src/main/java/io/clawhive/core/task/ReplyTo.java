package io.clawhive.core.task;

import java.util.Objects;

/**
 * Where the answer to a {@link RouteMessage} goes: back into the Telegram chat (optionally as a
 * reply to {@code messageId}), or to the HTTP request waiting under {@code correlationId} on api
 * node {@code replyNode} (its reply queue, see {@code io.clawhive.core.reply}).
 */
public record ReplyTo(Channel channel, Integer messageId, String correlationId, String replyNode) {

  /** The way an answer travels back. */
  public enum Channel {
    TELEGRAM,
    HTTP
  }

  public ReplyTo {
    Objects.requireNonNull(channel, "channel");
    if (channel == Channel.HTTP) {
      TaskChecks.requiredText(correlationId, "correlationId");
      TaskChecks.requiredText(replyNode, "replyNode");
    }
  }

  public static ReplyTo telegram(Integer messageId) {
    return new ReplyTo(Channel.TELEGRAM, messageId, null, null);
  }

  public static ReplyTo http(String correlationId, String replyNode) {
    return new ReplyTo(Channel.HTTP, null, correlationId, replyNode);
  }
}
