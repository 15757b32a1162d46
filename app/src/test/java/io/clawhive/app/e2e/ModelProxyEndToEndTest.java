package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.worker.fakes.FakeModelServer;
import io.clawhive.worker.standin.StandIn;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole node (api + worker) with a model provider configured: the tenant's instance config names
 * the worker's model proxy and a credential of its own, never the model key; a model call with that
 * credential is answered by the fake model server (which requires the key), and the admin API shows
 * the tenant's usage for the day.
 */
@org.junit.jupiter.api.Tag("infra")
class ModelProxyEndToEndTest {
  private static final String MODEL_KEY = "sk-operator-e2e-5d1c0a77";
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  @TempDir Path dir;
  private E2eNode node;
  private FakeModelServer model;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (model != null) {
      model.close();
    }
  }

  @Test
  void theInstanceGetsTheProxyAndUsageIsShownByTheAdminApi() throws Exception {
    model = FakeModelServer.start(MODEL_KEY);
    int proxyPort;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      proxyPort = free.getLocalPort();
    }
    node =
        new E2eNode(dir, "api,worker")
            .standIns(StandIn.program(), 0)
            .set("worker.model.baseUrl", model.baseUrl())
            .set("worker.model.apiKey", MODEL_KEY)
            .set("worker.model.id", FakeModelServer.MODEL_ID)
            .set("worker.modelProxy.port", Integer.toString(proxyPort))
            .start();

    HttpResponse<String> chat = send("/api/v1/instances/42/messages", "{\"text\":\"hi\"}");
    assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);

    Path config;
    try (Stream<Path> files = Files.walk(node.instancesDir)) {
      config =
          files
              .filter(p -> p.getFileName().toString().equals("openclaw.json"))
              .findFirst()
              .orElseThrow();
    }
    String rendered = Files.readString(config);
    assertThat(rendered).doesNotContain(MODEL_KEY);
    JsonNode provider = json.readTree(rendered).path("models").path("providers").path("clawhive");
    assertThat(provider.path("baseUrl").asText())
        .as("the proxy where the instance reaches the host (the worker address when sandboxed)")
        .isEqualTo(
            "http://" + node.instanceFacingAddress().getHostAddress() + ":" + proxyPort + "/v1");
    String credential = provider.path("apiKey").asText();

    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(provider.path("baseUrl").asText() + "/chat/completions"))
                .header("Authorization", "Bearer " + credential)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"count me\"}]}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    assertThat(answer.body()).contains("turn 1: count me");

    String today = LocalDate.now(ZoneOffset.UTC).toString();
    JsonNode all = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      all = json.readTree(get("/api/v1/usage").body());
      if (all.path("usage").size() == 1) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(all.path("to").asText()).isEqualTo(today);
    JsonNode row = all.path("usage").path(0);
    assertThat(row.path("tenant").asLong()).isEqualTo(42);
    assertThat(row.path("day").asText()).isEqualTo(today);
    assertThat(row.path("requests").asLong()).isEqualTo(model.served()).isEqualTo(1);
    assertThat(row.path("tokensIn").asLong()).isEqualTo(model.promptTokensServed());
    assertThat(row.path("tokensOut").asLong()).isEqualTo(model.completionTokensServed());

    JsonNode mine = json.readTree(get("/api/v1/usage/42?from=" + today + "&to=" + today).body());
    assertThat(mine.path("usage")).hasSize(1);
    assertThat(json.readTree(get("/api/v1/usage/43").body()).path("usage")).isEmpty();
    assertThat(get("/api/v1/usage?from=yesterday").statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/usage/abc").statusCode()).isEqualTo(400);
    assertThat(
            http.send(
                    HttpRequest.newBuilder(URI.create(node.adminUrl("/api/v1/usage"))).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .as("admin token required")
        .isEqualTo(401);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(node.adminUrl(path)))
            .header("Authorization", "Bearer " + E2eNode.ADMIN_TOKEN)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(String path, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(node.adminUrl(path)))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + E2eNode.ADMIN_TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
