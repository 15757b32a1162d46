package io.clawhive.worker.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigRendererTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final GatewayConfigRenderer renderer = new GatewayConfigRenderer();

  private GatewayConfigSpec spec() {
    return new GatewayConfigSpec(
        19040,
        "secret-token",
        dir.resolve("logs/openclaw.log"),
        dir.resolve("workspace"),
        new ModelProvider("acme", "http://127.0.0.1:9/v1", "model-key", null, List.of("m1", "m2")));
  }

  @Test
  void aGatewayInItsOwnNetworkNamespaceBindsItsAddress() throws Exception {
    GatewayConfigSpec loopback = spec();
    GatewayConfigSpec inNamespace =
        new GatewayConfigSpec(
            loopback.port(),
            loopback.token(),
            loopback.logFile(),
            loopback.workspace(),
            loopback.provider(),
            java.util.Optional.of("10.231.0.3"));
    JsonNode config = JSON.readTree(renderer.render(inNamespace));
    assertThat(config.at("/gateway/bind").asText()).isEqualTo("custom");
    assertThat(config.at("/gateway/customBindHost").asText()).isEqualTo("10.231.0.3");
    assertThat(JSON.readTree(renderer.render(loopback)).has("customBindHost")).isFalse();
  }

  @Test
  void rendersLocalTokenAuthChatEndpointLogWorkspaceAndProvider() throws Exception {
    JsonNode config = JSON.readTree(renderer.render(spec()));

    assertThat(config.at("/gateway/mode").asText()).isEqualTo("local");
    assertThat(config.at("/gateway/port").asInt()).isEqualTo(19040);
    assertThat(config.at("/gateway/bind").asText()).isEqualTo("loopback");
    assertThat(config.at("/gateway/auth/mode").asText()).isEqualTo("token");
    assertThat(config.at("/gateway/auth/token").asText()).isEqualTo("secret-token");
    assertThat(config.at("/gateway/http/endpoints/chatCompletions/enabled").asBoolean()).isTrue();
    assertThat(config.at("/logging/file").asText())
        .isEqualTo(dir.resolve("logs/openclaw.log").toString());
    assertThat(config.at("/browser/enabled").isBoolean()).isTrue();
    assertThat(config.at("/browser/enabled").asBoolean()).isFalse();
    assertThat(config.at("/agents/defaults/workspace").asText())
        .isEqualTo(dir.resolve("workspace").toString());
    assertThat(config.at("/agents/defaults/model/primary").asText()).isEqualTo("acme/m1");
    JsonNode provider = config.at("/models/providers/acme");
    assertThat(provider.path("baseUrl").asText()).isEqualTo("http://127.0.0.1:9/v1");
    assertThat(provider.path("apiKey").asText()).isEqualTo("model-key");
    assertThat(provider.path("api").asText()).isEqualTo("openai-completions");
    assertThat(provider.path("models").findValuesAsText("id")).containsExactly("m1", "m2");
    assertThat(config.fieldNames())
        .toIterable()
        .containsExactlyInAnyOrder("gateway", "logging", "browser", "agents", "models");
  }

  @Test
  void writesTheConfigReadableOnlyByItsOwner() throws Exception {
    Path file = dir.resolve("openclaw.json");

    renderer.write(spec(), file);
    renderer.write(spec(), file);

    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(JSON.readTree(file.toFile()).at("/gateway/auth/token").asText())
        .isEqualTo("secret-token");
    assertThat(dir.resolve("openclaw.json.tmp")).doesNotExist();
  }

  @Test
  void secretsStayOutOfToString() {
    assertThat(spec().toString())
        .doesNotContain("secret-token")
        .doesNotContain("model-key")
        .contains("***");
  }
}
