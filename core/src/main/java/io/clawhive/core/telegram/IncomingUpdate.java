package io.clawhive.core.telegram;

import java.util.Objects;
import org.telegram.telegrambots.meta.api.objects.Update;

/**
 * One update as Telegram sent it, read on its own: either {@link #update() understood}, or kept
 * with the {@link #problem() reason} it could not be (a field of an unexpected type, a message
 * without a chat), so that the caller can record it and move past it instead of stalling.
 *
 * @param updateId Telegram's {@code update_id}, always present
 * @param update the parsed update, null when not understood
 * @param problem why it was not understood, null when understood
 * @param raw the update's JSON exactly as received (compact)
 */
public record IncomingUpdate(long updateId, Update update, String problem, String raw) {

  public IncomingUpdate {
    Objects.requireNonNull(raw, "raw");
    if ((update == null) == (problem == null)) {
      throw new IllegalArgumentException("exactly one of update and problem");
    }
  }

  static IncomingUpdate understood(Update update, String raw) {
    return new IncomingUpdate(update.getUpdateId(), update, null, raw);
  }

  static IncomingUpdate notUnderstood(long updateId, String problem, String raw) {
    return new IncomingUpdate(updateId, null, problem, raw);
  }

  public boolean understood() {
    return update != null;
  }
}
