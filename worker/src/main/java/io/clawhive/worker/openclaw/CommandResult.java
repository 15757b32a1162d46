package io.clawhive.worker.openclaw;

/** Outcome of a short-lived runtime command (exit code, captured output). */
public record CommandResult(int exitCode, String stdout, String stderr, boolean timedOut) {

  public boolean succeeded() {
    return !timedOut && exitCode == 0;
  }

  /** stderr, else stdout, trimmed and stripped of terminal colour codes: what a person reads. */
  public String message() {
    String text = stderr.isBlank() ? stdout : stderr;
    return text.replaceAll("\u001B\\[[0-9;?]*[A-Za-z]", "").strip();
  }
}
