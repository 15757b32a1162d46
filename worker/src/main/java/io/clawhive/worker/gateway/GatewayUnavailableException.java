package io.clawhive.worker.gateway;

import java.util.OptionalInt;

/**
 * Retryable: the gateway could not be reached or could not answer now (connection refused, timeout,
 * 5xx, 429). Retrying later, possibly after a restart, may succeed.
 */
public class GatewayUnavailableException extends GatewayException {

  private final int httpStatus;

  public GatewayUnavailableException(String instanceId, String message, Throwable cause) {
    this(instanceId, 0, message, cause);
  }

  public GatewayUnavailableException(
      String instanceId, int httpStatus, String message, Throwable cause) {
    super(instanceId, message, cause);
    this.httpStatus = httpStatus;
  }

  /** The HTTP status when the gateway answered, empty when it never did. */
  public OptionalInt httpStatus() {
    return httpStatus == 0 ? OptionalInt.empty() : OptionalInt.of(httpStatus);
  }

  @Override
  public boolean retryable() {
    return true;
  }
}
