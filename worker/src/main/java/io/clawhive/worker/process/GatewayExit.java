package io.clawhive.worker.process;

/**
 * How a gateway process ended. {@code exitCode} follows the JDK: 128 + signal for a signal (137
 * after SIGKILL). {@code killedByMemoryLimit} is true when its cgroup saw an OOM kill.
 */
public record GatewayExit(int exitCode, boolean killedByMemoryLimit) {

  /** OpenClaw's exit code for an invalid configuration (sysexits EX_CONFIG). */
  public static final int CONFIG_ERROR_EXIT_CODE = 78;

  public boolean configError() {
    return exitCode == CONFIG_ERROR_EXIT_CODE;
  }
}
