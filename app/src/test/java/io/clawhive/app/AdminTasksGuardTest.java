package io.clawhive.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.DropwizardTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin port's state-changing tasks need the admin token; read-only pages stay open. */
class AdminTasksGuardTest {
  private static final String ADMIN_TOKEN = "tasks-admin-token";

  @TempDir Path dataDir;
  private final HttpClient http = HttpClient.newHttpClient();
  private DropwizardTestSupport<ClawhiveConfiguration> node;

  @AfterEach
  void stopNode() {
    if (node != null) {
      node.after();
    }
  }

  @Test
  void tasksNeedTheAdminToken() throws Exception {
    node = start(ADMIN_TOKEN);
    assertThat(post("/tasks/gc", null).statusCode()).isEqualTo(401);
    assertThat(post("/tasks/log-level?logger=io.clawhive&level=TRACE", "wrong").statusCode())
        .isEqualTo(401);
    HttpResponse<String> refused = post("/tasks/gc", "wrong");
    assertThat(refused.body()).contains("Bearer <admin token>");
    assertThat(post("/tasks/gc", ADMIN_TOKEN).statusCode()).isEqualTo(200);
    assertThat(get("/ping").statusCode()).isEqualTo(200);
    assertThat(get("/healthcheck").statusCode()).isIn(200, 500);
  }

  @Test
  void tasksAreDisabledWithoutAnAdminToken() throws Exception {
    node = start("");
    HttpResponse<String> refused = post("/tasks/gc", "anything");
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body()).contains("admin tasks are disabled");
    assertThat(post("/tasks/gc", "").statusCode()).isEqualTo(403);
  }

  private DropwizardTestSupport<ClawhiveConfiguration> start(String token) throws Exception {
    return TestNode.start(
        dataDir,
        "tasks-node",
        "api",
        TestNode.freePort(),
        dataDir.resolve("node.log"),
        Map.of("api.adminToken", token));
  }

  private HttpResponse<String> post(String path, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.getAdminPort() + path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.getAdminPort() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
