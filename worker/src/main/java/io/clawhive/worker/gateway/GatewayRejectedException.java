package io.clawhive.worker.gateway;

/**
 * Permanent: the gateway answered and refused the request (400, 401, 403, other 4xx) or answered
 * with something that is not a chat completion. Repeating the same call will not help.
 */
public class GatewayRejectedException extends GatewayException {

  private final int httpStatus;

  public GatewayRejectedException(String instanceId, int httpStatus, String message) {
    super(instanceId, message, null);
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
