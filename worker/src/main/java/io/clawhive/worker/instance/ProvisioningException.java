package io.clawhive.worker.instance;

import io.clawhive.core.ClawhiveException;

/** An instance's directories, port or system user could not be provisioned. */
public class ProvisioningException extends ClawhiveException {

  private final String instanceId;

  public ProvisioningException(String instanceId, String message, Throwable cause) {
    super("instance " + instanceId + ": " + message, cause);
    this.instanceId = instanceId;
  }

  public ProvisioningException(String instanceId, String message) {
    this(instanceId, message, null);
  }

  public String instanceId() {
    return instanceId;
  }
}
