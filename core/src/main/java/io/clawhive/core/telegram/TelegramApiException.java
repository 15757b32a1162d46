package io.clawhive.core.telegram;

import io.clawhive.core.ClawhiveException;

/**
 * A Bot API call failed. {@link #retryable()} tells whether the same call may succeed later (5xx,
 * 429, network trouble) or never will (other 4xx, e.g. 403 "bot was blocked by the user"). The
 * message never contains the bot token.
 */
public class TelegramApiException extends ClawhiveException {

  /** Used as {@link #errorCode()} when Telegram never answered (network failure). */
  public static final int NO_ANSWER = 0;

  private final String method;
  private final int errorCode;
  private final boolean retryable;

  public TelegramApiException(
      String method, int errorCode, boolean retryable, String message, Throwable cause) {
    super("Bot API " + method + " failed: " + message, cause);
    this.method = method;
    this.errorCode = errorCode;
    this.retryable = retryable;
  }

  public String method() {
    return method;
  }

  /** Telegram's {@code error_code} (the HTTP status), or {@link #NO_ANSWER}. */
  public int errorCode() {
    return errorCode;
  }

  public boolean retryable() {
    return retryable;
  }
}
