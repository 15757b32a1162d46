package io.clawhive.core.telegram;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a long answer into pieces Telegram accepts ({@value #MAX_MESSAGE_CHARS} characters each): at
 * the last paragraph break that fits, else the last line break, else the last space, else hard
 * (never inside a surrogate pair). Joining the pieces with the separators that were cut gives the
 * text back; the separator itself is dropped, blank pieces are never produced.
 *
 * <p>Linear in the length of the text: it walks the text by index (no copies of the remainder) and
 * looks for a cut point only inside the next window of {@code max + 1} characters.
 */
public final class MessageSplitter {

  /** Telegram's limit for {@code sendMessage} text. */
  public static final int MAX_MESSAGE_CHARS = 4096;

  private static final String[] BOUNDARIES = {"\n\n", "\n", " "};

  private MessageSplitter() {}

  public static List<String> split(String text) {
    return split(text, MAX_MESSAGE_CHARS);
  }

  public static List<String> split(String text, int max) {
    if (max < 2) {
      throw new IllegalArgumentException("max must be >= 2 but was " + max);
    }
    List<String> pieces = new ArrayList<>();
    int pos = 0;
    while (text.length() - pos > max) {
      int cut = cutPoint(text, pos, max);
      String piece = text.substring(pos, cut).stripTrailing();
      if (!piece.isEmpty()) {
        pieces.add(piece);
      }
      pos = skipBreaks(text, cut);
    }
    String rest = text.substring(pos);
    if (!rest.isBlank() || pieces.isEmpty()) {
      pieces.add(rest);
    }
    return pieces;
  }

  /**
   * Where to cut the text that starts at {@code pos}: an absolute index in {@code (pos, pos+max]}.
   */
  private static int cutPoint(String text, int pos, int max) {
    int windowEnd = pos + max + 1; // exclusive: a boundary may start right after the piece
    for (String boundary : BOUNDARIES) {
      for (int at = windowEnd - boundary.length(); at > pos; at--) {
        if (text.startsWith(boundary, at)) {
          return at;
        }
      }
    }
    int hard = pos + max;
    return Character.isHighSurrogate(text.charAt(hard - 1)) ? hard - 1 : hard;
  }

  private static int skipBreaks(String text, int from) {
    int i = from;
    while (i < text.length() && (text.charAt(i) == '\n' || text.charAt(i) == ' ')) {
      i++;
    }
    return i;
  }
}
