package io.clawhive.worker.fleet;

/**
 * What message routing needs from the worker's fleet of gateways, per tenant (Telegram user id).
 */
public interface TenantGateways {
  /**
   * Makes sure the tenant's instance runs on this worker (claim from pool, create, or wake), waits
   * until ready, and returns a client for it. Throws
   * io.clawhive.worker.gateway.GatewayUnavailableException (retryable) or a ClawhiveException
   * subclass.
   */
  io.clawhive.worker.gateway.GatewayClient gatewayFor(long tenantId);

  /** Records activity (resets the hibernation idle timer). */
  void touch(long tenantId);

  /** Restarts the tenant's gateway (user command /restart). */
  void restart(long tenantId, String reason);

  /** The tenant's instance state, empty if none. */
  java.util.Optional<io.clawhive.core.storage.InstanceState> stateOf(long tenantId);
}
