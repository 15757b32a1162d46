package io.clawhive.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.worker.gateway.ModelProvider;
import io.clawhive.worker.modelproxy.ProxyCredentials;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet with the model proxy's credentials (stand-in gateways): every instance gets its own, an
 * instance whose config still holds a model key (made before the proxy) gets one and a rewritten
 * config at its first start, and deleting an instance revokes its credential.
 */
class FleetModelCredentialTest {

  private static final int PROXY_PORT = 18799;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private FleetFixture f;
  private ProxyCredentials credentials;

  @BeforeEach
  void setUp() throws Exception {
    f = new FleetFixture(dir);
    ModelProvider template =
        new ModelProvider("clawhive", "http://127.0.0.1/v1", "placeholder", null, List.of("m1"));
    credentials =
        new ProxyCredentials(
            f.storage, template, () -> PROXY_PORT, id -> "127.0.0.1", Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void everyInstanceGetsItsOwnCredentialAndDeleteRevokesIt() throws Exception {
    Fleet fleet = proxied();
    fleet.start();
    String seven = fleet.createForTenant(7L, "cred-7");
    String eight = fleet.createForTenant(8L, "cred-8");

    JsonNode a = provider(seven);
    JsonNode b = provider(eight);
    assertThat(a.path("baseUrl").asText()).isEqualTo("http://127.0.0.1:" + PROXY_PORT + "/v1");
    assertThat(a.path("apiKey").asText()).startsWith("chp-");
    assertThat(a.path("apiKey").asText()).isNotEqualTo(b.path("apiKey").asText());
    assertThat(credentials.holds(seven)).isTrue();

    fleet.deleteInstance(seven);
    assertThat(credentials.holds(seven)).isFalse();
    assertThat(credentials.holds(eight)).isTrue();
  }

  @Test
  void anInstanceMadeWithTheModelKeyIsRewrittenAtItsFirstStart() throws Exception {
    Fleet old = f.fleet(f.settings(0));
    old.start();
    String id = old.createForTenant(7L, "legacy-1");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> f.row(id).actualState() == InstanceState.RUNNING);
    assertThat(provider(id).path("apiKey").asText()).isEqualTo(FleetFixture.MODEL.apiKey());
    old.stop();

    Fleet fleet = proxied();
    fleet.start();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> f.row(id).actualState() == InstanceState.RUNNING);

    JsonNode provider = provider(id);
    assertThat(provider.path("apiKey").asText()).startsWith("chp-");
    assertThat(configText(id)).doesNotContain(FleetFixture.MODEL.apiKey());
    assertThat(credentials.holds(id)).isTrue();
    assertThat(fleet.gatewayFor(7L).chat("s", "still here?").content()).startsWith("echo:");
  }

  private Fleet proxied() {
    return f.fleet(
        f.settings(0),
        ConfigCheck.NONE,
        SkillSource.UNAVAILABLE,
        FleetFixture.noIsolation(),
        credentials);
  }

  private JsonNode provider(String id) throws Exception {
    return JSON.readTree(configText(id))
            .path("models")
            .path("providers")
            .path("clawhive")
            .isMissingNode()
        ? JSON.readTree(configText(id)).path("models").path("providers").path("fake")
        : JSON.readTree(configText(id)).path("models").path("providers").path("clawhive");
  }

  private String configText(String id) throws Exception {
    Instance row = f.row(id);
    return java.nio.file.Files.readString(Path.of(row.baseDir(), "config", "openclaw.json"));
  }
}
