package io.clawhive.worker.skills;

import io.clawhive.worker.openclaw.CommandResult;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.openclaw.RuntimeCommandRunner;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.CommandWrapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runtime's {@code clawhub} CLI for one workspace: {@code clawhub <args> --workdir W --no-input
 * [--registry R]}, through the instance's wrapper (its user, its sandbox), with the instance's own
 * HOME and {@code CLAWHUB_CONFIG_PATH}. Never used for {@code clawhub sync}, which publishes the
 * workspace's skills to the public registry.
 */
final class Clawhub {

  private final RuntimeLayout runtime;
  private final Optional<String> registry;
  private final Duration timeout;

  Clawhub(RuntimeLayout runtime, Optional<String> registry, Duration timeout) {
    this.runtime = runtime;
    this.registry = registry.filter(r -> !r.isBlank());
    this.timeout = timeout;
  }

  Duration timeout() {
    return timeout;
  }

  CommandResult run(List<String> args, Workspace ws) {
    if (args.contains("sync")) {
      throw new IllegalArgumentException("clawhub sync publishes skills; never run it");
    }
    List<String> argv = new ArrayList<>();
    argv.add(runtime.nodeBinary().toString());
    argv.add(runtime.clawhubEntry().toString());
    argv.addAll(args);
    argv.addAll(List.of("--workdir", ws.workdir().toString(), "--no-input"));
    registry.ifPresent(r -> argv.addAll(List.of("--registry", r)));
    Map<String, String> env = environment(ws);
    return RuntimeCommandRunner.run(
        ws.wrapper().wrap(argv, env, ws.workdir()), env, ws.workdir(), timeout);
  }

  Map<String, String> environment(Workspace ws) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOME", ws.home().toAbsolutePath().toString());
    env.put("PATH", GatewayCommand.path(runtime));
    env.put("CLAWHUB_CONFIG_PATH", ws.clawhubConfig().toAbsolutePath().toString());
    env.put("CLAWHUB_DISABLE_TELEMETRY", "1");
    env.put("NO_COLOR", "1");
    registry.ifPresent(r -> env.put("CLAWHUB_REGISTRY", r));
    return env;
  }

  /** What clawhub did, as a person reads it: the failure line, else the command's summary. */
  static String describe(String verb, CommandResult result, Duration timeout) {
    if (result.timedOut()) {
      return "clawhub " + verb + " timed out after " + timeout;
    }
    return "clawhub " + verb + " exit " + result.exitCode() + ": " + result.message();
  }

  /** One instance's workspace as clawhub sees it, and how commands reach it. */
  record Workspace(Path workdir, Path home, Path clawhubConfig, CommandWrapper wrapper) {}
}
