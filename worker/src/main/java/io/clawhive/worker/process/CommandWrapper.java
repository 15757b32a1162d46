package io.clawhive.worker.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Turns a command into the command that actually runs it, e.g. dropped to a tenant's user and
 * inside its sandbox. The environment and working directory are passed so that a wrapper which
 * clears the environment (bubblewrap) can set them again inside.
 */
@FunctionalInterface
public interface CommandWrapper {

  /** Runs commands as they are. */
  CommandWrapper NONE = (command, environment, workingDir) -> command;

  List<String> wrap(List<String> command, Map<String, String> environment, Path workingDir);
}
