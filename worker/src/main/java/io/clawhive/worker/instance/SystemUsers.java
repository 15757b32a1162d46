package io.clawhive.worker.instance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One unprivileged system user per instance when the worker runs as root: {@code useradd --system
 * --no-create-home --user-group --shell /usr/sbin/nologin <prefix><id>}. Names are lower case, at
 * most {@link #MAX_NAME_LENGTH} characters.
 */
public final class SystemUsers {

  private static final Logger LOG = LoggerFactory.getLogger(SystemUsers.class);
  public static final String DEFAULT_PREFIX = "claw-";
  public static final int MAX_NAME_LENGTH = 32;
  static final String NOLOGIN_SHELL = "/usr/sbin/nologin";

  private final String prefix;

  public SystemUsers(String prefix) {
    if (prefix == null || !prefix.matches("[a-z_][a-z0-9_-]{0,15}")) {
      throw new IllegalArgumentException(
          "user prefix must match [a-z_][a-z0-9_-]{0,15}: " + prefix);
    }
    this.prefix = prefix;
  }

  /** True when this JVM runs with uid 0 (then every instance gets its own user). */
  public static boolean runningAsRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** The user name for an instance: prefix + the id's alphanumerics, cut to 32 characters. */
  public String nameFor(String instanceId) {
    String id = instanceId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    String name = prefix + id;
    return name.length() > MAX_NAME_LENGTH ? name.substring(0, MAX_NAME_LENGTH) : name;
  }

  /** The instance's user, created when missing. */
  public SystemUser ensure(String instanceId) {
    String name = nameFor(instanceId);
    Optional<SystemUser> existing = find(name);
    if (existing.isPresent()) {
      return existing.get();
    }
    HostCommand.Result created =
        HostCommand.run(
            List.of(
                "useradd",
                "--system",
                "--no-create-home",
                "--user-group",
                "--shell",
                NOLOGIN_SHELL,
                name));
    if (created.exitCode() != 0) {
      throw new ProvisioningException(
          instanceId,
          "useradd " + name + " failed (" + created.exitCode() + "): " + created.output());
    }
    LOG.info("created system user {} for instance {}", name, instanceId);
    return find(name)
        .orElseThrow(() -> new ProvisioningException(instanceId, "user " + name + " vanished"));
  }

  /** Looks a user up with getent. */
  public Optional<SystemUser> find(String name) {
    HostCommand.Result result = HostCommand.run(List.of("getent", "passwd", name));
    if (result.exitCode() != 0) {
      return Optional.empty();
    }
    String[] fields = result.output().split(":");
    if (fields.length < 4) {
      return Optional.empty();
    }
    return Optional.of(
        new SystemUser(fields[0], Integer.parseInt(fields[2]), Integer.parseInt(fields[3])));
  }

  /** Removes the user and its group (files are removed with the instance directory). */
  public void delete(SystemUser user) {
    HostCommand.Result result = HostCommand.run(List.of("userdel", user.name()));
    if (result.exitCode() != 0 && find(user.name()).isPresent()) {
      LOG.warn("userdel {} failed ({}): {}", user.name(), result.exitCode(), result.output());
    }
  }
}
