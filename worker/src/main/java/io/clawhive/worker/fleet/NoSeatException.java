package io.clawhive.worker.fleet;

import io.clawhive.core.ClawhiveException;

/**
 * The worker is at capacity (live gateways, or host memory) and every gateway is in use: the
 * tenant's gateway cannot start now. Transient: a seat frees as soon as a gateway goes idle.
 */
public final class NoSeatException extends ClawhiveException {
  public NoSeatException(long tenantId, String why) {
    super("no seat for tenant " + tenantId + " on this worker now: " + why);
  }
}
