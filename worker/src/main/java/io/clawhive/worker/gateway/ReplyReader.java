package io.clawhive.worker.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a chat completion ({@code {"id":…,"choices":[{"message":{"content":"…"},
 * "finish_reason":…}]}}) from a stream without ever holding more than {@code maxContentChars} of
 * the answer: a small streaming JSON scanner that keeps {@code choices[0].message.content} up to
 * the cap and a few short fields, and skips everything else as it passes. Once the content goes
 * past the cap, reading stops (the rest of the body, however long or endless, is never read).
 * Memory: the cap, an 8 KiB buffer and {@value #MAX_FIELD_CHARS} characters per kept field,
 * whatever is sent.
 */
final class ReplyReader {

  /** Kept of the id, the finish reason and of the start of a body that is not JSON. */
  static final int MAX_FIELD_CHARS = 512;

  /** Deeper nesting than a chat completion ever has is refused, not recursed into. */
  static final int MAX_DEPTH = 64;

  private static final int BUFFER_CHARS = 8192;
  private static final List<String> CONTENT = List.of("choices", "0", "message", "content");
  private static final List<String> FINISH_REASON = List.of("choices", "0", "finish_reason");
  private static final List<String> ID = List.of("id");

  /** What was read; {@code content} null when the reply had no text content. */
  record Result(String id, String content, String finishReason, boolean cut, long charsRead) {}

  /** The body is not a JSON document; {@code start} is its first characters. */
  static final class MalformedReplyException extends Exception {
    private final String start;

    MalformedReplyException(String problem, String start) {
      super(problem);
      this.start = start;
    }

    String start() {
      return start;
    }
  }

  /** Thrown inside the scanner when the content reached its cap: stop reading at once. */
  private static final class CapReached extends RuntimeException {
    CapReached() {
      super(null, null, false, false);
    }
  }

  private final Reader in;
  private final Clock clock;
  private final Instant deadline;
  private final int maxContentChars;
  private final char[] buffer = new char[BUFFER_CHARS];
  private final StringBuilder start = new StringBuilder();
  private final List<String> path = new ArrayList<>();
  private int position;
  private int limit;
  private long charsRead;
  private String id = "";
  private String finishReason = "";
  private StringBuilder content;
  private boolean cut;

  private ReplyReader(InputStream body, int maxContentChars, Clock clock, Instant deadline) {
    this.in = new InputStreamReader(body, StandardCharsets.UTF_8);
    this.maxContentChars = maxContentChars;
    this.clock = clock;
    this.deadline = deadline;
  }

  /**
   * Reads one reply from {@code body} (not closed here). A body still arriving at {@code deadline}
   * fails with {@link HttpTimeoutException} (checked whenever a chunk arrives).
   */
  static Result read(InputStream body, int maxContentChars, Clock clock, Instant deadline)
      throws IOException, MalformedReplyException {
    if (maxContentChars < 1) {
      throw new IllegalArgumentException("maxContentChars must be >= 1");
    }
    ReplyReader reader = new ReplyReader(body, maxContentChars, clock, deadline);
    try {
      reader.value(0);
    } catch (CapReached e) {
      reader.cut = true;
    }
    return new Result(
        reader.id,
        reader.content == null ? null : reader.content.toString(),
        reader.finishReason,
        reader.cut,
        reader.charsRead);
  }

  private void value(int depth) throws IOException, MalformedReplyException {
    int c = nextNonSpace();
    switch (c) {
      case '{' -> object(depth + 1);
      case '[' -> array(depth + 1);
      case '"' -> string();
      case 't', 'f', 'n' -> word(c);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          number();
        } else {
          throw malformed(c == -1 ? "body ended early" : "unexpected '" + (char) c + "'");
        }
      }
    }
  }

  private void object(int depth) throws IOException, MalformedReplyException {
    checkDepth(depth);
    int c = nextNonSpace();
    if (c == '}') {
      return;
    }
    while (true) {
      if (c != '"') {
        throw malformed("expected a field name");
      }
      StringBuilder key = new StringBuilder();
      readString(key, MAX_FIELD_CHARS, false);
      if (nextNonSpace() != ':') {
        throw malformed("expected ':'");
      }
      path.add(key.toString());
      value(depth);
      path.remove(path.size() - 1);
      c = nextNonSpace();
      if (c == '}') {
        return;
      }
      if (c != ',') {
        throw malformed("expected ',' or '}'");
      }
      c = nextNonSpace();
    }
  }

  private void array(int depth) throws IOException, MalformedReplyException {
    checkDepth(depth);
    int c = nextNonSpace();
    if (c == ']') {
      return;
    }
    pushBack();
    for (int index = 0; ; index++) {
      path.add(Integer.toString(index));
      value(depth);
      path.remove(path.size() - 1);
      c = nextNonSpace();
      if (c == ']') {
        return;
      }
      if (c != ',') {
        throw malformed("expected ',' or ']'");
      }
    }
  }

  private void string() throws IOException, MalformedReplyException {
    if (path.equals(CONTENT)) {
      content = new StringBuilder();
      readString(content, maxContentChars, true);
    } else if (path.equals(ID) || path.equals(FINISH_REASON)) {
      StringBuilder kept = new StringBuilder();
      readString(kept, MAX_FIELD_CHARS, false);
      if (path.equals(ID)) {
        id = kept.toString();
      } else {
        finishReason = kept.toString();
      }
    } else {
      readString(null, 0, false);
    }
  }

  /**
   * Reads a string's characters after its opening quote into {@code sink} (up to {@code max}); the
   * rest is skipped, or, when {@code stopAtCap}, reading stops with {@link CapReached}.
   */
  private void readString(StringBuilder sink, int max, boolean stopAtCap)
      throws IOException, MalformedReplyException {
    while (true) {
      int c = next();
      if (c == -1) {
        throw malformed("body ended inside a string");
      }
      if (c == '"') {
        return;
      }
      if (c == '\\') {
        c = escaped();
      } else if (c < 0x20) {
        throw malformed("control character in a string");
      }
      if (sink == null) {
        continue;
      }
      if (sink.length() < max) {
        sink.append((char) c);
      } else if (stopAtCap) {
        if (Character.isHighSurrogate(sink.charAt(sink.length() - 1))) {
          sink.setLength(sink.length() - 1); // never keep half a character
        }
        throw new CapReached();
      }
    }
  }

  private int escaped() throws IOException, MalformedReplyException {
    int c = next();
    return switch (c) {
      case '"', '\\', '/' -> c;
      case 'b' -> '\b';
      case 'f' -> '\f';
      case 'n' -> '\n';
      case 'r' -> '\r';
      case 't' -> '\t';
      case 'u' -> {
        int code = 0;
        for (int i = 0; i < 4; i++) {
          int digit = Character.digit(next(), 16);
          if (digit < 0) {
            throw malformed("bad \\u escape");
          }
          code = code * 16 + digit;
        }
        yield code;
      }
      default -> throw malformed("bad escape");
    };
  }

  private void word(int first) throws IOException, MalformedReplyException {
    String expected = first == 't' ? "true" : first == 'f' ? "false" : "null";
    for (int i = 1; i < expected.length(); i++) {
      if (next() != expected.charAt(i)) {
        throw malformed("expected " + expected);
      }
    }
  }

  private void number() throws IOException {
    int c;
    do {
      c = next();
    } while (c != -1 && (Character.isDigit(c) || "+-.eE".indexOf(c) >= 0));
    if (c != -1) {
      pushBack();
    }
  }

  private void checkDepth(int depth) throws MalformedReplyException {
    if (depth > MAX_DEPTH) {
      throw malformed("nested deeper than " + MAX_DEPTH);
    }
  }

  private int nextNonSpace() throws IOException {
    int c;
    do {
      c = next();
    } while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
    return c;
  }

  private int next() throws IOException {
    if (position == limit) {
      if (clock.instant().isAfter(deadline)) {
        throw new HttpTimeoutException("reply still arriving after " + charsRead + " characters");
      }
      int n = in.read(buffer, 0, buffer.length);
      if (n <= 0) {
        return -1;
      }
      if (start.length() < MAX_FIELD_CHARS) {
        start.append(buffer, 0, Math.min(n, MAX_FIELD_CHARS - start.length()));
      }
      charsRead += n;
      position = 0;
      limit = n;
    }
    return buffer[position++];
  }

  /** Un-reads the character just read (always within the current buffer). */
  private void pushBack() {
    position--;
  }

  private MalformedReplyException malformed(String problem) {
    return new MalformedReplyException(problem, start.toString());
  }
}
