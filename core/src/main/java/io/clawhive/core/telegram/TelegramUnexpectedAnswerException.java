package io.clawhive.core.telegram;

/**
 * Telegram answered a Bot API call with something this client cannot read: a body that is not JSON,
 * or a {@code result} of an unexpected shape. Never retried by the client (the same call would get
 * the same answer). {@link #accepted()} tells whether Telegram said {@code "ok": true}: then the
 * call took effect (the message was sent, the webhook set) and only its answer is odd, so callers
 * must not repeat it.
 */
public final class TelegramUnexpectedAnswerException extends TelegramApiException {

  private final boolean accepted;

  TelegramUnexpectedAnswerException(String method, int status, boolean accepted, String problem) {
    super(method, status, false, "unexpected answer (HTTP " + status + "): " + problem, null);
    this.accepted = accepted;
  }

  /** True if Telegram said {@code "ok": true}: the call took effect, only its result is odd. */
  public boolean accepted() {
    return accepted;
  }
}
