package io.clawhive.worker.openclaw;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The default command line and environment of one OpenClaw gateway. The environment is an
 * allowlist: nothing of the worker's own environment is passed on.
 */
public final class GatewayCommand {

  /** Without a network namespace, gateways never listen beyond loopback. */
  public static final String BIND = "loopback";

  /** In a network namespace: the address in {@code gateway.customBindHost} (and its loopback). */
  public static final String BIND_CUSTOM = "custom";

  /** The only system directories on a gateway's PATH, after the runtime's Node. */
  public static final String SYSTEM_PATH = "/usr/bin:/bin";

  /**
   * Fixed flags for every gateway: no self-update, no self-respawn (the worker supervises), no mDNS
   * announcement, no login-shell snapshot.
   */
  public static final Map<String, String> FIXED_FLAGS =
      Map.of(
          "OPENCLAW_NO_AUTO_UPDATE", "1",
          "OPENCLAW_NO_RESPAWN", "1",
          "OPENCLAW_DISABLE_BONJOUR", "1",
          "OPENCLAW_EXEC_SHELL_SNAPSHOT", "0");

  /** Every variable name a gateway may see. */
  public static final List<String> ALLOWED_VARIABLES =
      List.of(
          "HOME",
          "PATH",
          "OPENCLAW_CONFIG_PATH",
          "OPENCLAW_STATE_DIR",
          "OPENCLAW_NO_AUTO_UPDATE",
          "OPENCLAW_NO_RESPAWN",
          "OPENCLAW_DISABLE_BONJOUR",
          "OPENCLAW_EXEC_SHELL_SNAPSHOT");

  private GatewayCommand() {}

  /**
   * {@code node <runtime>/node_modules/openclaw/openclaw.mjs gateway run --port P --bind loopback}.
   */
  public static List<String> gatewayRun(RuntimeLayout runtime, int port) {
    return gatewayRun(
        List.of(runtime.nodeBinary().toString(), runtime.openclawEntry().toString()), port);
  }

  /**
   * {@code <program...> gateway run --port P --bind loopback}: the gateway arguments after another
   * program (a configured command, e.g. the stand-in gateway of the tests).
   */
  public static List<String> gatewayRun(List<String> program, int port) {
    return gatewayRun(program, port, BIND);
  }

  /**
   * {@code <program...> gateway run --port P --bind BIND} ({@link #BIND} or {@link #BIND_CUSTOM}).
   */
  public static List<String> gatewayRun(List<String> program, int port, String bind) {
    if (program.isEmpty()) {
      throw new IllegalArgumentException("gateway program must not be empty");
    }
    if (!bind.equals(BIND) && !bind.equals(BIND_CUSTOM)) {
      throw new IllegalArgumentException("bind must be loopback or custom: " + bind);
    }
    List<String> argv = new java.util.ArrayList<>(program);
    argv.addAll(List.of("gateway", "run", "--port", Integer.toString(port), "--bind", bind));
    return List.copyOf(argv);
  }

  /** Returns {@code env} unchanged, or throws naming the first variable outside the allowlist. */
  public static Map<String, String> requireAllowed(Map<String, String> env) {
    for (String name : env.keySet()) {
      if (!ALLOWED_VARIABLES.contains(name)) {
        throw new IllegalArgumentException(
            "environment variable " + name + " is not allowed for a gateway process");
      }
    }
    return env;
  }

  /** {@code node <runtime>/node_modules/openclaw/openclaw.mjs config validate}. */
  public static List<String> configValidate(RuntimeLayout runtime) {
    return List.of(
        runtime.nodeBinary().toString(), runtime.openclawEntry().toString(), "config", "validate");
  }

  /** PATH for runtime commands: the runtime's Node bin directory, then {@link #SYSTEM_PATH}. */
  public static String path(RuntimeLayout runtime) {
    return runtime.nodeBinDir() + ":" + SYSTEM_PATH;
  }

  /** The complete environment of one gateway (and of {@code openclaw} commands for it). */
  public static Map<String, String> environment(
      RuntimeLayout runtime, Path home, Path configFile, Path stateDir) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOME", home.toAbsolutePath().toString());
    env.put("PATH", path(runtime));
    env.put("OPENCLAW_CONFIG_PATH", configFile.toAbsolutePath().toString());
    env.put("OPENCLAW_STATE_DIR", stateDir.toAbsolutePath().toString());
    env.putAll(FIXED_FLAGS);
    return Map.copyOf(env);
  }
}
