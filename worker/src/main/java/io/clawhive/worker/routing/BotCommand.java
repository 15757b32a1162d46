package io.clawhive.worker.routing;

import java.util.Locale;
import java.util.Optional;

/**
 * The bot's own commands. Any other text, including unknown {@code /commands}, goes to the agent
 * (OpenClaw has slash commands of its own).
 */
public enum BotCommand {
  START,
  STATUS,
  RESET,
  RESTART,
  HELP;

  /** The command {@code text} starts with ({@code /start}, {@code /start@MyBot CODE}, …). */
  public static Optional<BotCommand> parse(String text) {
    if (text == null || !text.startsWith("/")) {
      return Optional.empty();
    }
    int end = 1;
    while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
      end++;
    }
    String word = text.substring(1, end);
    int at = word.indexOf('@');
    if (at >= 0) {
      word = word.substring(0, at);
    }
    try {
      return Optional.of(valueOf(word.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
