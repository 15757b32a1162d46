package io.clawhive.migrations;

/**
 * A migration could not be applied or its status read. Unchecked; the module depends on nothing of
 * ours, so it does not extend {@code ClawhiveException}.
 */
public class MigrationException extends RuntimeException {

  public MigrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
