package io.clawhive.worker.gateway;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What one instance's {@code openclaw.json} says. The token never appears in {@link #toString()}.
 *
 * @param bindHost the address the gateway listens on (its network namespace's); empty = loopback
 */
public record GatewayConfigSpec(
    int port,
    String token,
    Path logFile,
    Path workspace,
    ModelProvider provider,
    Optional<String> bindHost) {

  /** A gateway on loopback. */
  public GatewayConfigSpec(
      int port, String token, Path logFile, Path workspace, ModelProvider provider) {
    this(port, token, logFile, workspace, provider, Optional.empty());
  }

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
    Objects.requireNonNull(bindHost, "bindHost");
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
        + ", bindHost="
        + bindHost.orElse("loopback")
        + "]";
  }
}
