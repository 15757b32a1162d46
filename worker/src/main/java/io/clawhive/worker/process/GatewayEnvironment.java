package io.clawhive.worker.process;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The allowlisted environment of a gateway process. A gateway never inherits the worker's
 * environment, so no control-plane secret (bot token, admin token, database or broker credentials)
 * can reach it: only the names in {@link #ALLOWED_NAMES} may be set.
 */
public final class GatewayEnvironment {

  public static final String HOME = "HOME";
  public static final String OPENCLAW_CONFIG_PATH = "OPENCLAW_CONFIG_PATH";
  public static final String OPENCLAW_STATE_DIR = "OPENCLAW_STATE_DIR";
  public static final String PATH = "PATH";
  public static final String LANG = "LANG";

  /** Flags from DESIGN.md "OpenClaw gateway facts": no self-update, no respawn, no mDNS. */
  public static final Map<String, String> OPENCLAW_FLAGS =
      Map.of(
          "OPENCLAW_NO_AUTO_UPDATE", "1",
          "OPENCLAW_NO_RESPAWN", "1",
          "OPENCLAW_DISABLE_BONJOUR", "1",
          "OPENCLAW_EXEC_SHELL_SNAPSHOT", "0");

  public static final Set<String> ALLOWED_NAMES =
      Set.of(
          HOME,
          OPENCLAW_CONFIG_PATH,
          OPENCLAW_STATE_DIR,
          PATH,
          LANG,
          "OPENCLAW_NO_AUTO_UPDATE",
          "OPENCLAW_NO_RESPAWN",
          "OPENCLAW_DISABLE_BONJOUR",
          "OPENCLAW_EXEC_SHELL_SNAPSHOT");

  public static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";
  public static final String DEFAULT_LANG = "C.UTF-8";

  private GatewayEnvironment() {}

  /** Environment for one instance; {@code path} should put the runtime's node first. */
  public static Map<String, String> forInstance(
      Path home, Path configFile, Path stateDir, String path) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(HOME, home.toString());
    env.put(OPENCLAW_CONFIG_PATH, configFile.toString());
    env.put(OPENCLAW_STATE_DIR, stateDir.toString());
    env.put(PATH, path);
    env.put(LANG, DEFAULT_LANG);
    env.putAll(OPENCLAW_FLAGS);
    return Map.copyOf(env);
  }

  public static Map<String, String> forInstance(Path home, Path configFile, Path stateDir) {
    return forInstance(home, configFile, stateDir, DEFAULT_PATH);
  }

  /** Returns {@code env} unchanged, or throws naming the first variable outside the allowlist. */
  public static Map<String, String> requireAllowed(Map<String, String> env) {
    for (String name : env.keySet()) {
      if (!ALLOWED_NAMES.contains(name)) {
        throw new IllegalArgumentException(
            "environment variable " + name + " is not allowed for a gateway process");
      }
    }
    return env;
  }
}
