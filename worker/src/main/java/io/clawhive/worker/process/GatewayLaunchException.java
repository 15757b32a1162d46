package io.clawhive.worker.process;

import io.clawhive.core.ClawhiveException;

/** A gateway process could not be started or controlled. Carries the instance id. */
public class GatewayLaunchException extends ClawhiveException {

  private final String instanceId;

  public GatewayLaunchException(String instanceId, String message, Throwable cause) {
    super("instance " + instanceId + ": " + message, cause);
    this.instanceId = instanceId;
  }

  public GatewayLaunchException(String instanceId, String message) {
    this(instanceId, message, null);
  }

  public String instanceId() {
    return instanceId;
  }
}
