package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.worker.standin.StandIn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API of a whole node (api + worker + scheduler, embedded defaults) whose worker runs
 * stand-in gateways: chat over HTTP, then each ops action on the tenant's instance as a worker sees
 * it, health sweeps by the scheduler and their job runs.
 */
@org.junit.jupiter.api.Tag("infra")
class AdminApiEndToEndTest {
  private static final Duration SLOW = Duration.ofSeconds(90);

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private E2eNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void opsManageATenantsInstanceThroughTheWorkerThatOwnsIt() throws Exception {
    node =
        new E2eNode(dir, "api,worker,scheduler")
            .standIns(StandIn.program(), 1)
            .set("scheduler.healthCheckInterval", "1s")
            .start();

    await()
        .atMost(SLOW)
        .until(() -> instances().stream().anyMatch(i -> "RUNNING".equals(i.get("actualState"))));
    assertThat(instances()).singleElement().satisfies(i -> assertThat(i.get("tenant")).isNull());

    HttpResponse<String> chat =
        send("POST", "/api/v1/instances/42/messages", "{\"text\":\"hi there\"}");
    assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
    assertThat(json.readTree(chat.body()).get("reply").asText())
        .contains("echo:")
        .contains("hi there");

    Map<String, Object> mine = instance(42);
    assertThat(mine.get("actualState")).isEqualTo("RUNNING");
    assertThat(mine.get("worker")).isEqualTo(node.nodeId);
    assertThat(mine).doesNotContainKey("authToken");
    assertThat(mine.get("createdAt")).asString().matches("\\d{4}-\\d{2}-\\d{2}T.*Z");

    assertThat(send("POST", "/api/v1/instances/42/hibernate", null).statusCode()).isEqualTo(202);
    await().atMost(SLOW).until(() -> "HIBERNATED".equals(instance(42).get("actualState")));
    assertThat(send("POST", "/api/v1/instances/42/wake", null).statusCode()).isEqualTo(202);
    await().atMost(SLOW).until(() -> "RUNNING".equals(instance(42).get("actualState")));

    Object startedBefore = instance(42).get("lastStartedAt");
    assertThat(send("POST", "/api/v1/instances/42/restart", null).statusCode()).isEqualTo(202);
    await()
        .atMost(SLOW)
        .until(
            () -> {
              Map<String, Object> now = instance(42);
              return "RUNNING".equals(now.get("actualState"))
                  && !startedBefore.equals(now.get("lastStartedAt"));
            });

    await()
        .atMost(SLOW)
        .until(
            () ->
                !json.readTree(send("GET", "/api/v1/instances/42/health", null).body())
                    .get("recent")
                    .isEmpty());
    List<Map<String, Object>> runs =
        json.readValue(
            send("GET", "/api/v1/job-runs?job=check-health", null).body(),
            new TypeReference<>() {});
    assertThat(runs).anySatisfy(r -> assertThat(r.get("status")).isEqualTo("SUCCEEDED"));

    HttpResponse<String> unknown = send("POST", "/api/v1/instances/777/restart", null);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("tenant 777 has no instance");

    assertThat(send("DELETE", "/api/v1/instances/42", null).statusCode()).isEqualTo(202);
    await().atMost(SLOW).until(() -> send("GET", "/api/v1/instances/42", null).statusCode() == 404);
  }

  private List<Map<String, Object>> instances() throws Exception {
    return json.readValue(send("GET", "/api/v1/instances", null).body(), new TypeReference<>() {});
  }

  private Map<String, Object> instance(long tenant) throws Exception {
    HttpResponse<String> response = send("GET", "/api/v1/instances/" + tenant, null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json.readValue(response.body(), new TypeReference<>() {});
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(node.adminUrl(path)))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + E2eNode.ADMIN_TOKEN)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
