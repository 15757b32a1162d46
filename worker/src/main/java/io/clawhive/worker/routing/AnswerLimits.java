package io.clawhive.worker.routing;

import io.clawhive.worker.gateway.GatewayClient;

/**
 * How long an answer may get and how it goes out. Of a gateway's reply at most {@code maxChars}
 * characters are read (the rest is never read; the user sees a note that it was cut). An answer of
 * up to {@code inlineMessages} Telegram messages is sent as messages; a longer one as its first
 * message plus the whole text as the document {@value AnswerParts#FILE_NAME}.
 */
public record AnswerLimits(int maxChars, int inlineMessages) {

  public static final int DEFAULT_MAX_CHARS = GatewayClient.DEFAULT_MAX_REPLY_CHARS;
  public static final int DEFAULT_INLINE_MESSAGES = 4;

  /** A Telegram bot may upload 50 MB; 10 M characters stay below it even at 4 bytes each. */
  public static final int MAX_MAX_CHARS = 10_000_000;

  /** At least one full message, so that the first piece of a document answer is a real one. */
  public static final int MIN_MAX_CHARS = 4096;

  public AnswerLimits {
    if (maxChars < MIN_MAX_CHARS || maxChars > MAX_MAX_CHARS) {
      throw new IllegalArgumentException(
          "maxChars must be between " + MIN_MAX_CHARS + " and " + MAX_MAX_CHARS + ": " + maxChars);
    }
    if (inlineMessages < 1) {
      throw new IllegalArgumentException("inlineMessages must be >= 1: " + inlineMessages);
    }
  }

  public static AnswerLimits defaults() {
    return new AnswerLimits(DEFAULT_MAX_CHARS, DEFAULT_INLINE_MESSAGES);
  }
}
