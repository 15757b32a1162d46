package io.clawhive.worker.sandbox;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How strongly tenants are kept apart on one host.
 *
 * <ul>
 *   <li>{@link #SANDBOX}: own system user, bubblewrap namespaces (pid, ipc, uts, private mounts),
 *       cgroup limits and the egress policy. The default when the node runs as root.
 *   <li>{@link #USER}: own system user, cgroup limits and the egress policy, no namespaces.
 *   <li>{@link #NONE}: gateways run as the worker's own user with limits only; development only.
 * </ul>
 */
public enum IsolationMode {
  SANDBOX,
  USER,
  NONE;

  /** Whether each instance gets its own system user (and so an egress policy by uid). */
  public boolean ownUser() {
    return this != NONE;
  }

  @JsonValue
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static IsolationMode parse(String value) {
    for (IsolationMode mode : values()) {
      if (mode.configName().equalsIgnoreCase(value == null ? "" : value.trim())) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "isolation mode must be one of sandbox, user, none (or auto): " + value);
  }
}
