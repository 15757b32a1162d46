package io.clawhive.worker.fleet;

import io.clawhive.core.storage.InstanceState;
import io.clawhive.worker.gateway.GatewayClient;
import java.util.Optional;

/**
 * The worker's tenants' gateways: claim-or-create-or-wake on demand. (Interface as agreed with the
 * fleet work; the implementation lives there.)
 */
public interface TenantGateways {

  /** A client for the tenant's gateway, ready to chat: claims, creates or wakes as needed. */
  GatewayClient gatewayFor(long tenantId);

  /** The tenant used their gateway now (keeps it from hibernating). */
  void touch(long tenantId);

  /** Restarts the tenant's gateway, recording {@code reason}. */
  void restart(long tenantId, String reason);

  /** The actual state of the tenant's instance, empty when they have none. */
  Optional<InstanceState> stateOf(long tenantId);
}
