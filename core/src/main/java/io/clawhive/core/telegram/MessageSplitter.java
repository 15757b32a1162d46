package io.clawhive.core.telegram;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a long answer into pieces Telegram accepts ({@value #MAX_MESSAGE_CHARS} characters each): at
 * the last paragraph break that fits, else the last line break, else the last space, else hard
 * (never inside a surrogate pair). Joining the pieces with the separators that were cut gives the
 * text back; the separator itself is dropped, blank pieces are never produced.
 */
public final class MessageSplitter {

  /** Telegram's limit for {@code sendMessage} text. */
  public static final int MAX_MESSAGE_CHARS = 4096;

  private MessageSplitter() {}

  public static List<String> split(String text) {
    return split(text, MAX_MESSAGE_CHARS);
  }

  public static List<String> split(String text, int max) {
    if (max < 2) {
      throw new IllegalArgumentException("max must be >= 2 but was " + max);
    }
    List<String> pieces = new ArrayList<>();
    String rest = text;
    while (rest.length() > max) {
      int cut = cutPoint(rest, max);
      String piece = rest.substring(0, cut).stripTrailing();
      if (!piece.isEmpty()) {
        pieces.add(piece);
      }
      rest = stripLeadingBreaks(rest.substring(cut));
    }
    if (!rest.isBlank() || pieces.isEmpty()) {
      pieces.add(rest);
    }
    return pieces;
  }

  private static int cutPoint(String text, int max) {
    String window = text.substring(0, max + 1);
    for (String boundary : new String[] {"\n\n", "\n", " "}) {
      int at = window.lastIndexOf(boundary);
      if (at > 0 && at <= max) {
        return at;
      }
    }
    return Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
  }

  private static String stripLeadingBreaks(String text) {
    int i = 0;
    while (i < text.length() && (text.charAt(i) == '\n' || text.charAt(i) == ' ')) {
      i++;
    }
    return text.substring(i);
  }
}
