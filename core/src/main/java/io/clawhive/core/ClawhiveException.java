package io.clawhive.core;

/**
 * The one unchecked exception root of clawhive. Subclasses carry the ids (tenant, instance, task)
 * that an operator needs to act on the failure.
 */
public class ClawhiveException extends RuntimeException {

  public ClawhiveException(String message) {
    super(message);
  }

  public ClawhiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
