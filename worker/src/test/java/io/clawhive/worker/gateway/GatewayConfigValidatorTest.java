package io.clawhive.worker.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clawhive.worker.fakes.InstalledRuntime;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.openclaw.RuntimeLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real {@code openclaw config validate} from the pinned runtime. */
class GatewayConfigValidatorTest {

  @TempDir Path dir;

  private RuntimeLayout runtime;
  private Path configFile;
  private Map<String, String> env;

  @BeforeEach
  void setUp() throws Exception {
    runtime = InstalledRuntime.assumeInstalled().layout();
    Files.createDirectories(dir.resolve("home"));
    Files.createDirectories(dir.resolve("state"));
    configFile = dir.resolve("openclaw.json");
    env =
        GatewayCommand.environment(runtime, dir.resolve("home"), configFile, dir.resolve("state"));
  }

  @Test
  void theRenderedConfigIsValid() {
    new GatewayConfigRenderer()
        .write(
            new GatewayConfigSpec(
                19060,
                "tok",
                dir.resolve("logs/openclaw.log"),
                dir.resolve("workspace"),
                new ModelProvider(
                    "fake", "http://127.0.0.1:9/v1", "k", null, List.of("fake-model"))),
            configFile);

    new GatewayConfigValidator(runtime).validate("inst-v", env);
  }

  @Test
  void anUnknownKeyIsRejectedWithTheGatewaysMessage() throws Exception {
    Files.writeString(configFile, "{\"gateway\": {\"mode\": \"local\", \"bogusKey\": 1}}\n");

    assertThatThrownBy(() -> new GatewayConfigValidator(runtime).validate("inst-v", env))
        .isInstanceOfSatisfying(
            GatewayConfigRejectedException.class,
            e -> {
              assertThat(e.instanceId()).isEqualTo("inst-v");
              assertThat(e.retryable()).isFalse();
              assertThat(e.configFile()).isEqualTo(configFile);
              assertThat(e.gatewayMessage())
                  .contains("OpenClaw config is invalid")
                  .contains("gateway: Unrecognized key: \"bogusKey\"");
            })
        .hasMessageStartingWith("instance inst-v: gateway rejected config " + configFile);
  }
}
