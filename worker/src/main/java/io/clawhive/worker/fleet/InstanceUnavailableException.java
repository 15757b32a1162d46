package io.clawhive.worker.fleet;

import io.clawhive.core.ClawhiveException;

/**
 * The instance cannot serve and retrying will not help until someone acts: it FAILED (crash loop,
 * rejected config, disk quota), it lives on another worker, or it does not exist. Carries ids.
 */
public class InstanceUnavailableException extends ClawhiveException {

  private final String instanceId;
  private final Long tenantId;

  public InstanceUnavailableException(String instanceId, Long tenantId, String message) {
    super(
        (instanceId == null ? "" : "instance " + instanceId + " ")
            + (tenantId == null ? "" : "(tenant " + tenantId + ") ")
            + message);
    this.instanceId = instanceId;
    this.tenantId = tenantId;
  }

  public String instanceId() {
    return instanceId;
  }

  public Long tenantId() {
    return tenantId;
  }
}
