package io.clawhive.worker.process;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one way the worker runs a short external tool (iptables, useradd, bwrap probes, {@code
 * openclaw config validate}, clawhub): output is read on other threads with a size cap, the wait is
 * bounded, and on timeout the whole process tree is killed. A hanging tool fails its operation with
 * a message naming the tool, never the caller's thread.
 */
public final class BoundedCommand {

  /** Output beyond this many bytes per stream is read and dropped. */
  public static final int MAX_CAPTURED_BYTES = 64 * 1024;

  /** How long to wait for the output after the process ended (a leaked grandchild may hold it). */
  static final Duration OUTPUT_DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private static final int KILL_ROUNDS = 5;
  private static final File DEV_NULL = new File("/dev/null");

  /**
   * What to run: {@code environment} is the child's whole environment; {@code input} (may be null)
   * is written to its stdin, else stdin is /dev/null.
   */
  public record Request(
      List<String> argv,
      Map<String, String> environment,
      Optional<Path> workingDir,
      String input,
      boolean mergeStderr,
      Duration timeout) {

    public Request {
      argv = List.copyOf(argv);
      if (argv.isEmpty()) {
        throw new IllegalArgumentException("empty command");
      }
      environment = Map.copyOf(environment);
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
    }

    /** The tool's file name, for messages. */
    public String tool() {
      return Path.of(argv.get(0)).getFileName().toString();
    }
  }

  /** Exit code (-1 when it timed out or could not start), captured output, and why it failed. */
  public record Result(int exitCode, String stdout, String stderr, boolean timedOut, String error) {

    public boolean ok() {
      return !timedOut && error.isEmpty() && exitCode == 0;
    }
  }

  private BoundedCommand() {}

  /** The environment of host tools: only PATH and LANG of the worker's own. */
  public static Map<String, String> hostToolEnvironment() {
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    env.keySet().retainAll(List.of("PATH", "LANG"));
    return env;
  }

  public static Result run(Request request) {
    ProcessBuilder builder = new ProcessBuilder(request.argv());
    request.workingDir().ifPresent(dir -> builder.directory(dir.toFile()));
    builder.environment().clear();
    builder.environment().putAll(request.environment());
    builder.redirectErrorStream(request.mergeStderr());
    if (request.input() == null) {
      builder.redirectInput(ProcessBuilder.Redirect.from(DEV_NULL));
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return new Result(
          -1, "", "", false, "cannot start " + request.tool() + ": " + e.getMessage());
    }
    if (request.input() != null) {
      feed(process.getOutputStream(), request.input());
    }
    CompletableFuture<String> stdout = drain(process.getInputStream(), request.tool());
    CompletableFuture<String> stderr =
        request.mergeStderr()
            ? CompletableFuture.completedFuture("")
            : drain(process.getErrorStream(), request.tool());
    boolean exited;
    try {
      exited = process.waitFor(request.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      killTree(process);
      Thread.currentThread().interrupt();
      return new Result(-1, "", "", false, request.tool() + " interrupted");
    }
    if (!exited) {
      killTree(process);
      return new Result(
          -1,
          await(stdout),
          await(stderr),
          true,
          request.tool()
              + " timed out after "
              + request.timeout().toMillis()
              + " ms and was killed: "
              + String.join(" ", request.argv()));
    }
    return new Result(process.exitValue(), await(stdout), await(stderr), false, "");
  }

  /** SIGKILL to every descendant and the process, repeated while new descendants appear. */
  static void killTree(Process process) {
    for (int round = 0; round < KILL_ROUNDS; round++) {
      List<ProcessHandle> descendants = process.descendants().toList();
      descendants.forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      if (descendants.isEmpty()) {
        break;
      }
    }
    try {
      process.waitFor(OUTPUT_DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void feed(OutputStream stdin, String input) {
    Thread writer =
        new Thread(
            () -> {
              try (stdin) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
              } catch (IOException e) {
                // the tool exited or closed its stdin: its exit code tells
              }
            },
            "bounded-command-stdin");
    writer.setDaemon(true);
    writer.start();
  }

  private static CompletableFuture<String> drain(InputStream stream, String tool) {
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (stream) {
                byte[] kept = stream.readNBytes(MAX_CAPTURED_BYTES);
                stream.transferTo(OutputStream.nullOutputStream());
                result.complete(new String(kept, StandardCharsets.UTF_8));
              } catch (IOException e) {
                result.complete("");
              }
            },
            "bounded-command-output-" + tool);
    reader.setDaemon(true);
    reader.start();
    return result;
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
