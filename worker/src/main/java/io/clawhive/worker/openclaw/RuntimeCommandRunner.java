package io.clawhive.worker.openclaw;

import io.clawhive.core.ClawhiveException;
import io.clawhive.worker.process.BoundedCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a short-lived runtime command (config validation, skill install) with exactly the given
 * environment through {@link BoundedCommand}: output captured (bounded) on other threads, the whole
 * process tree killed on timeout.
 */
public final class RuntimeCommandRunner {

  /** Output beyond this many bytes per stream is dropped. */
  public static final int MAX_CAPTURED_BYTES = BoundedCommand.MAX_CAPTURED_BYTES;

  private RuntimeCommandRunner() {}

  public static CommandResult run(
      List<String> argv, Map<String, String> environment, Path workingDir, Duration timeout) {
    BoundedCommand.Result result =
        BoundedCommand.run(
            new BoundedCommand.Request(
                argv, environment, Optional.of(workingDir), null, false, timeout));
    if (!result.timedOut() && !result.error().isEmpty()) {
      throw new ClawhiveException(result.error());
    }
    return new CommandResult(
        result.exitCode(), result.stdout(), result.stderr(), result.timedOut());
  }
}
