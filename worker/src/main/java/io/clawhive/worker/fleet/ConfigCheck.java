package io.clawhive.worker.fleet;

import io.clawhive.worker.process.CommandWrapper;
import java.util.Map;

/**
 * Checks an instance's rendered config before its first start, with the instance's environment (the
 * real one is {@code openclaw config validate}); throws {@link
 * io.clawhive.worker.gateway.GatewayConfigRejectedException} when the gateway would refuse it.
 */
@FunctionalInterface
public interface ConfigCheck {

  /**
   * @param wrapper how to run the check as the instance's user, inside its sandbox
   */
  void check(String instanceId, Map<String, String> environment, CommandWrapper wrapper);

  /** For configured stand-in gateways that have no validator. */
  ConfigCheck NONE = (instanceId, environment, wrapper) -> {};
}
