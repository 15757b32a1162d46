package io.clawhive.worker.limits;

import io.clawhive.core.ClawhiveException;

/** Limits could not be applied to an instance. Carries the instance id. */
public class LimitsException extends ClawhiveException {

  private final String instanceId;

  public LimitsException(String instanceId, String message, Throwable cause) {
    super("instance " + instanceId + ": " + message, cause);
    this.instanceId = instanceId;
  }

  public String instanceId() {
    return instanceId;
  }
}
