package io.clawhive.worker.gateway;

import java.nio.file.Path;

/**
 * {@code openclaw config validate} refused an instance's config. Starting the gateway would only
 * exit 78 again, so this is permanent; {@link #gatewayMessage()} is what the gateway said.
 */
public class GatewayConfigRejectedException extends GatewayException {

  private final Path configFile;
  private final String gatewayMessage;

  public GatewayConfigRejectedException(String instanceId, Path configFile, String gatewayMessage) {
    super(instanceId, "gateway rejected config " + configFile + ": " + gatewayMessage, null);
    this.configFile = configFile;
    this.gatewayMessage = gatewayMessage;
  }

  public Path configFile() {
    return configFile;
  }

  public String gatewayMessage() {
    return gatewayMessage;
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
