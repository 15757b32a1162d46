package io.clawhive.worker.sandbox;

import io.clawhive.worker.process.BoundedCommand;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Runs a short host tool (iptables, bwrap probe) through {@link BoundedCommand} (killed at its
 * timeout); finds tools on the PATH.
 */
final class HostTool {

  static final long TIMEOUT_SECONDS = 30;
  private static final String SYSTEM_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }

    /** The first line of the output, for one-line error messages. */
    String firstLine() {
      String trimmed = output.strip();
      int nl = trimmed.indexOf('\n');
      return nl < 0 ? trimmed : trimmed.substring(0, nl);
    }
  }

  private HostTool() {}

  /** An executable given as a path, or a name looked up on the PATH (plus the sbin dirs). */
  static Optional<Path> find(String nameOrPath) {
    if (nameOrPath == null || nameOrPath.isBlank()) {
      return Optional.empty();
    }
    if (nameOrPath.contains("/")) {
      Path path = Path.of(nameOrPath).toAbsolutePath();
      return Files.isRegularFile(path) && Files.isExecutable(path)
          ? Optional.of(path)
          : Optional.empty();
    }
    String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + SYSTEM_PATH;
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, nameOrPath);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate.toAbsolutePath());
        }
      }
    }
    return Optional.empty();
  }

  static Result run(List<String> command) {
    return run(command, null, Duration.ofSeconds(TIMEOUT_SECONDS));
  }

  /**
   * Runs {@code command} (stdin = {@code input}, or /dev/null when null), killing its process tree
   * after {@code timeout}; a timeout or start failure is exit code -1 with a message naming the
   * tool. The output is stdout on success, stderr then stdout on failure.
   */
  static Result run(List<String> command, String input, Duration timeout) {
    BoundedCommand.Result result =
        BoundedCommand.run(
            new BoundedCommand.Request(
                command,
                BoundedCommand.hostToolEnvironment(),
                Optional.empty(),
                input,
                false,
                timeout));
    if (!result.error().isEmpty()) {
      return new Result(-1, result.error());
    }
    if (result.exitCode() == 0) {
      // stdout only: iptables-nft warns on stderr when legacy tables exist, and -S is parsed
      return new Result(0, result.stdout());
    }
    return new Result(result.exitCode(), result.stderr() + result.stdout());
  }
}
