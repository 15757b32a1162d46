package io.clawhive.worker.gateway;

import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.openclaw.RuntimeLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenClaw gateway as a plain child process, for tests only (the worker's production
 * launcher lives elsewhere). Output goes to a file; {@link #close()} stops the whole tree.
 */
final class RealGatewayProcess implements AutoCloseable {

  private static final long TERM_WAIT_SECONDS = 20;

  private final Process process;
  private final List<ProcessHandle> children;

  private RealGatewayProcess(Process process) {
    this.process = process;
    this.children = new java.util.concurrent.CopyOnWriteArrayList<>();
  }

  static RealGatewayProcess start(
      RuntimeLayout runtime, int port, Map<String, String> env, Path home, Path output)
      throws IOException {
    Files.createDirectories(output.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(GatewayCommand.gatewayRun(runtime, port))
            .directory(home.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().clear();
    builder.environment().putAll(env);
    return new RealGatewayProcess(builder.start());
  }

  Process process() {
    return process;
  }

  long pid() {
    return process.pid();
  }

  /** Remembers the current descendants so that {@link #close()} also stops them. */
  List<ProcessHandle> rememberDescendants() {
    List<ProcessHandle> now = process.descendants().toList();
    children.addAll(now);
    return now;
  }

  /** Resident set size of the main process and its descendants, from /proc. */
  long rssBytes() {
    long total = rss(process.pid());
    for (ProcessHandle child : process.descendants().toList()) {
      total += rss(child.pid());
    }
    return total;
  }

  private static long rss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** SIGKILL of the main process only, like a crash; returns once it has been reaped. */
  void kill9() throws InterruptedException {
    rememberDescendants();
    process.destroyForcibly();
    process.waitFor(TERM_WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    rememberDescendants();
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(TERM_WAIT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(TERM_WAIT_SECONDS, TimeUnit.SECONDS);
      }
    }
    for (ProcessHandle child : children) {
      child.destroyForcibly();
    }
  }
}
