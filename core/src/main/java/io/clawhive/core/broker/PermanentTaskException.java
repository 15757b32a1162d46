package io.clawhive.core.broker;

import io.clawhive.core.ClawhiveException;

/** Thrown by a {@link TaskHandler} for a task that retrying cannot fix: dead-letter it now. */
public class PermanentTaskException extends ClawhiveException {

  public PermanentTaskException(String message) {
    super(message);
  }

  public PermanentTaskException(String message, Throwable cause) {
    super(message, cause);
  }
}
