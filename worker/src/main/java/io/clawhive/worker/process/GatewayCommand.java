package io.clawhive.worker.process;

import java.nio.file.Path;
import java.util.List;

/** Builds the command line of a gateway listening on a given loopback port. */
@FunctionalInterface
public interface GatewayCommand {

  List<String> command(int port);

  /**
   * The real gateway from the pinned runtime: {@code <runtime>/node/bin/node
   * <runtime>/node_modules/openclaw/openclaw.mjs gateway run --port P --bind loopback}.
   */
  static GatewayCommand openclaw(Path runtimeDir) {
    Path node = runtimeDir.resolve("node/bin/node");
    Path entry = runtimeDir.resolve("node_modules/openclaw/openclaw.mjs");
    return port ->
        List.of(
            node.toString(),
            entry.toString(),
            "gateway",
            "run",
            "--port",
            Integer.toString(port),
            "--bind",
            "loopback");
  }
}
