package io.clawhive.worker.process;

import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.limits.ResourceLimits;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.openclaw.RuntimeLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything needed to start one gateway process. The environment must stay within {@link
 * GatewayCommand#ALLOWED_VARIABLES}; the user, when present, is dropped to before exec.
 *
 * @param host the address the gateway listens on and is reached at: its network namespace's address
 *     in modes sandbox/user, else {@value #LOOPBACK}
 * @param entry what runs as root before privileges are dropped: entering the instance's network
 *     namespace ({@code ip netns exec NAME}); empty when there is none
 */
public record LaunchSpec(
    String instanceId,
    int port,
    List<String> command,
    Map<String, String> environment,
    Path workingDir,
    Path logFile,
    Path pidFile,
    Optional<SystemUser> user,
    ResourceLimits limits,
    String host,
    List<String> entry) {

  public static final String LOOPBACK = "127.0.0.1";

  public LaunchSpec {
    Objects.requireNonNull(instanceId, "instanceId");
    if (command == null || command.isEmpty()) {
      throw new IllegalArgumentException("command must not be empty");
    }
    command = List.copyOf(command);
    environment = Map.copyOf(GatewayCommand.requireAllowed(environment));
    Objects.requireNonNull(workingDir, "workingDir");
    Objects.requireNonNull(logFile, "logFile");
    Objects.requireNonNull(pidFile, "pidFile");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(host, "host");
    entry = List.copyOf(entry);
  }

  /** A spec for a gateway on loopback, started without entering a namespace. */
  public LaunchSpec(
      String instanceId,
      int port,
      List<String> command,
      Map<String, String> environment,
      Path workingDir,
      Path logFile,
      Path pidFile,
      Optional<SystemUser> user,
      ResourceLimits limits) {
    this(
        instanceId,
        port,
        command,
        environment,
        workingDir,
        logFile,
        pidFile,
        user,
        limits,
        LOOPBACK,
        List.of());
  }

  /** This spec with another command (e.g. wrapped in a sandbox). */
  public LaunchSpec withCommand(List<String> wrapped) {
    return new LaunchSpec(
        instanceId,
        port,
        wrapped,
        environment,
        workingDir,
        logFile,
        pidFile,
        user,
        limits,
        host,
        entry);
  }

  /** This spec started inside a network namespace ({@code entry}) and reached at {@code host}. */
  public LaunchSpec inNetwork(String networkHost, List<String> networkEntry) {
    return new LaunchSpec(
        instanceId,
        port,
        command,
        environment,
        workingDir,
        logFile,
        pidFile,
        user,
        limits,
        networkHost,
        networkEntry);
  }

  /**
   * The spec for an instance laid out by {@link InstanceLayout}: HOME and OPENCLAW_STATE_DIR are
   * the state dir, the working directory is the workspace; {@code command} is the full argv (see
   * {@link GatewayCommand#gatewayRun}).
   */
  public static LaunchSpec forInstance(
      InstanceLayout layout,
      int port,
      List<String> command,
      RuntimeLayout runtime,
      Optional<SystemUser> user,
      ResourceLimits limits) {
    Map<String, String> env =
        GatewayCommand.environment(
            runtime, layout.stateDir(), layout.configFile(), layout.stateDir());
    return new LaunchSpec(
        layout.instanceId(),
        port,
        command,
        env,
        layout.workspaceDir(),
        layout.logFile(),
        layout.pidFile(),
        user,
        limits);
  }
}
