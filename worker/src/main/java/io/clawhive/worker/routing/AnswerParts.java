package io.clawhive.worker.routing;

import io.clawhive.core.telegram.MessageSplitter;
import java.util.List;

/**
 * The parts an answer goes out in, always the same for the same text and limit (so that a resend
 * can skip the parts already sent): up to {@code inlineMessages} messages, or, for a longer answer,
 * its first message and then the whole text as a document.
 */
final class AnswerParts {

  static final String FILE_NAME = "answer.md";

  /** One message, or the document holding the whole answer. */
  record Part(String text, boolean document) {}

  private AnswerParts() {}

  static List<Part> of(String text, int inlineMessages) {
    List<String> pieces = MessageSplitter.split(text);
    if (pieces.size() <= inlineMessages) {
      return pieces.stream().map(p -> new Part(p, false)).toList();
    }
    return List.of(new Part(pieces.get(0), false), new Part(text, true));
  }

  /** The document's caption: what the user is looking at. */
  static String caption(String text) {
    return "The whole answer (" + String.format("%,d", text.length()) + " characters) as a file.";
  }
}
