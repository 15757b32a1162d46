package io.clawhive.worker.sandbox;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs a short host tool (iptables, bwrap probe) with a timeout; finds tools on the PATH. */
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
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().retainAll(List.of("PATH", "LANG"));
    builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    try {
      Process process = builder.start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "timed out: " + String.join(" ", command));
      }
      return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }
}
