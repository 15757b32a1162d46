package io.clawhive.worker.gateway;

import io.clawhive.core.ClawhiveException;

/** A failure talking to, or preparing, one instance's gateway. Carries the instance id. */
public abstract class GatewayException extends ClawhiveException {

  private final String instanceId;

  protected GatewayException(String instanceId, String message, Throwable cause) {
    super("instance " + instanceId + ": " + message, cause);
    this.instanceId = instanceId;
  }

  public String instanceId() {
    return instanceId;
  }

  /** Whether the same call may succeed later without anyone changing anything. */
  public abstract boolean retryable();
}
