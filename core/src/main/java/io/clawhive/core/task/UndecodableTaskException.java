package io.clawhive.core.task;

import io.clawhive.core.ClawhiveException;

/** Bytes that are not a task this version understands: garbage, unknown type or schema. */
public class UndecodableTaskException extends ClawhiveException {

  public UndecodableTaskException(String message) {
    super(message);
  }

  public UndecodableTaskException(String message, Throwable cause) {
    super(message, cause);
  }
}
