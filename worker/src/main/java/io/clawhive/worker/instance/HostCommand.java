package io.clawhive.worker.instance;

import io.clawhive.worker.process.BoundedCommand;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs a short host command (useradd, getent) through {@link BoundedCommand}: killed at its
 * timeout, returning exit code (-1 on timeout) and output.
 */
final class HostCommand {

  static final long TIMEOUT_SECONDS = 30;

  record Result(int exitCode, String output) {}

  private HostCommand() {}

  static Result run(List<String> command) {
    BoundedCommand.Result result =
        BoundedCommand.run(
            new BoundedCommand.Request(
                command,
                BoundedCommand.hostToolEnvironment(),
                Optional.empty(),
                null,
                true,
                Duration.ofSeconds(TIMEOUT_SECONDS)));
    if (!result.error().isEmpty()) {
      return new Result(-1, result.error());
    }
    return new Result(result.exitCode(), result.stdout().trim());
  }
}
