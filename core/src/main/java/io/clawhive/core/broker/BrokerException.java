package io.clawhive.core.broker;

import io.clawhive.core.ClawhiveException;

/** The broker could not be started, reached or used. */
public class BrokerException extends ClawhiveException {

  public BrokerException(String message) {
    super(message);
  }

  public BrokerException(String message, Throwable cause) {
    super(message, cause);
  }
}
