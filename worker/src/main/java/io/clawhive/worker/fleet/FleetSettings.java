package io.clawhive.worker.fleet;

import io.clawhive.worker.gateway.ModelProvider;
import io.clawhive.worker.instance.PortAllocator;
import io.clawhive.worker.limits.ResourceLimits;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.supervision.SupervisionPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a {@link Fleet} needs to know, resolved from the worker config. {@code gatewayProgram}
 * empty means the runtime's real openclaw; {@code instanceUserPrefix} empty means gateways run as
 * the worker's user (it is set when the worker runs as root).
 */
public record FleetSettings(
    String nodeId,
    Path instancesDir,
    PortAllocator ports,
    int poolSize,
    ResourceLimits limits,
    SupervisionPolicy policy,
    Duration hibernateAfter,
    long diskQuotaBytes,
    Duration housekeepingInterval,
    List<String> recommendedSkills,
    Optional<String> instanceUserPrefix,
    List<String> gatewayProgram,
    RuntimeLayout runtime,
    ModelProvider model) {

  /** Health results and healthy marks are written at most this often per instance. */
  public static final Duration HEALTHY_WRITE_INTERVAL = Duration.ofSeconds(30);

  public FleetSettings {
    Objects.requireNonNull(nodeId, "nodeId");
    instancesDir = instancesDir.toAbsolutePath().normalize();
    if (poolSize < 0) {
      throw new IllegalArgumentException("poolSize must be >= 0");
    }
    recommendedSkills = List.copyOf(recommendedSkills);
    gatewayProgram = List.copyOf(gatewayProgram);
  }

  public boolean realGateway() {
    return gatewayProgram.isEmpty();
  }

  /** The argv of a gateway on loopback {@code port}. */
  public List<String> command(int port) {
    return command(port, false);
  }

  /**
   * The argv of a gateway on {@code port}; {@code customBind}: on the address its config names (its
   * network namespace's) instead of loopback.
   */
  public List<String> command(int port, boolean customBind) {
    List<String> program =
        realGateway()
            ? List.of(runtime.nodeBinary().toString(), runtime.openclawEntry().toString())
            : gatewayProgram;
    return GatewayCommand.gatewayRun(
        program, port, customBind ? GatewayCommand.BIND_CUSTOM : GatewayCommand.BIND);
  }

  /** How long {@link Fleet#gatewayFor} waits for a starting gateway to become ready. */
  public Duration readyWait() {
    return policy.startupTimeout();
  }

  public FleetSettings withPoolSize(int size) {
    return new FleetSettings(
        nodeId,
        instancesDir,
        ports,
        size,
        limits,
        policy,
        hibernateAfter,
        diskQuotaBytes,
        housekeepingInterval,
        recommendedSkills,
        instanceUserPrefix,
        gatewayProgram,
        runtime,
        model);
  }
}
