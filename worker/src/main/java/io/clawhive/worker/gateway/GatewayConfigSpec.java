package io.clawhive.worker.gateway;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What one instance's {@code openclaw.json} says. The token never appears in {@link #toString()}.
 */
public record GatewayConfigSpec(
    int port, String token, Path logFile, Path workspace, ModelProvider provider) {

  public GatewayConfigSpec {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("token must not be blank");
    }
    logFile = Objects.requireNonNull(logFile, "logFile").toAbsolutePath();
    workspace = Objects.requireNonNull(workspace, "workspace").toAbsolutePath();
    Objects.requireNonNull(provider, "provider");
  }

  @Override
  public String toString() {
    return "GatewayConfigSpec[port="
        + port
        + ", token=***, logFile="
        + logFile
        + ", workspace="
        + workspace
        + ", provider="
        + provider
        + "]";
  }
}
