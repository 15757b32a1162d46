package io.clawhive.worker.openclaw;

import io.clawhive.core.ClawhiveException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a short-lived runtime command (config validation, skill install) with exactly the given
 * environment, captures its output (bounded) and kills the whole process tree on timeout.
 */
public final class RuntimeCommandRunner {

  /** Output beyond this many bytes per stream is dropped. */
  public static final int MAX_CAPTURED_BYTES = 64 * 1024;

  private static final Duration OUTPUT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private RuntimeCommandRunner() {}

  public static CommandResult run(
      List<String> argv, Map<String, String> environment, Path workingDir, Duration timeout) {
    ProcessBuilder builder = new ProcessBuilder(argv).directory(workingDir.toFile());
    builder.environment().clear();
    builder.environment().putAll(environment);
    builder.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new ClawhiveException("cannot start " + argv.get(0) + ": " + e.getMessage(), e);
    }
    CompletableFuture<String> stdout = drain(process.getInputStream());
    CompletableFuture<String> stderr = drain(process.getErrorStream());
    boolean exited;
    try {
      exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      killTree(process);
      Thread.currentThread().interrupt();
      throw new ClawhiveException("interrupted while running " + argv, e);
    }
    if (!exited) {
      killTree(process);
    }
    return new CommandResult(
        exited ? process.exitValue() : -1, await(stdout), await(stderr), !exited);
  }

  private static java.io.File nullDevice() {
    return new java.io.File("/dev/null");
  }

  private static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(OUTPUT_DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            byte[] kept = stream.readNBytes(MAX_CAPTURED_BYTES);
            stream.transferTo(java.io.OutputStream.nullOutputStream());
            return new String(kept, StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  private static String await(CompletableFuture<String> output) {
    try {
      return output.get(OUTPUT_DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    } catch (ExecutionException | TimeoutException e) {
      return "";
    }
  }
}
