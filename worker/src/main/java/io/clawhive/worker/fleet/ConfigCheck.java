package io.clawhive.worker.fleet;

import java.util.Map;

/**
 * Checks an instance's rendered config before its first start, with the instance's environment (the
 * real one is {@code openclaw config validate}); throws {@link
 * io.clawhive.worker.gateway.GatewayConfigRejectedException} when the gateway would refuse it.
 */
@FunctionalInterface
public interface ConfigCheck {

  void check(String instanceId, Map<String, String> environment);

  /** For configured stand-in gateways that have no validator. */
  ConfigCheck NONE = (instanceId, environment) -> {};
}
