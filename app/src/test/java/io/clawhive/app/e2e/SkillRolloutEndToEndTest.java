package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.worker.fakes.FakeClawHubRegistry;
import io.clawhive.worker.fakes.InstalledRuntime;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.standin.StandInGateway;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The skills supply chain of a whole node (api + worker + scheduler) with stand-in gateways, the
 * runtime's real clawhub and a fake ClawHub registry over HTTP: recommended skills recorded at
 * provisioning, the update job run through the admin API as a staged rollout (canary first, from →
 * to recorded, a locally edited skill skipped, a hibernated instance updated without waking, an
 * instance on a dead worker counted as not reached), then a bad version whose canary fails
 * readiness: the rollout stops, the canary goes back, the rest are untouched.
 */
@org.junit.jupiter.api.Tag("infra")
class SkillRolloutEndToEndTest {
  private static final Duration SLOW = Duration.ofSeconds(120);
  private static final String V1 = "---\nname: %s\n---\n# %s v1\n";
  private static final String V2 = "---\nname: %s\n---\n# %s v2\n";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private FakeClawHubRegistry registry;
  private E2eNode node;

  @BeforeEach
  void setUp() throws Exception {
    InstalledRuntime.assumeInstalled();
    node = new E2eNode(dir, "api,worker,scheduler");
    // clawhub runs in the instance's sandbox: the registry listens where instances reach the host
    registry =
        FakeClawHubRegistry.start(new InetSocketAddress(node.instanceFacingAddress(), 0))
            .addSkill("weather", "1.0.0", V1.formatted("weather", "weather"))
            .addSkill("notes", "1.0.0", V1.formatted("notes", "notes"));
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void theNightlyUpdateRollsOutCanaryFirstAndStopsOnAFailedCanary() throws Exception {
    node.standIns(StandIn.program(), 0)
        .reachableByInstances(URI.create(registry.url()).getPort())
        .set("worker.runtimeDir", InstalledRuntime.assumeInstalled().layout().dir().toString())
        .set("worker.clawhubRegistry", registry.url())
        .set("worker.recommendedSkills", "weather,notes")
        .set("worker.skills.allowlist", "weather,notes")
        .set("scheduler.healthCheckInterval", "1h")
        .set("scheduler.skillRollout.canaryShare", "0.3")
        .set("scheduler.skillRollout.canaryWatch", "2s")
        .set("scheduler.skillRollout.reportTimeout", "90s")
        .set("scheduler.skillRollout.pollInterval", "200ms")
        .start();
    for (long tenant = 1; tenant <= 3; tenant++) {
      HttpResponse<String> chat =
          send("POST", "/api/v1/instances/" + tenant + "/messages", "{\"text\":\"hi\"}");
      assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
    }
    JsonNode first = instance(1);
    assertThat(skill(first, "weather").get("version").asText()).isEqualTo("1.0.0");
    assertThat(skill(first, "weather").get("lastOutcome").asText()).isEqualTo("INSTALLED");
    assertThat(skill(first, "weather").get("sourceHash").asText()).isNotBlank();
    assertThat(skill(first, "notes").get("version").asText()).isEqualTo("1.0.0");

    Path edited = workspace(3).resolve("skills/notes/SKILL.md");
    Files.writeString(edited, V1.formatted("notes", "notes") + "my own notes\n");
    assertThat(send("POST", "/api/v1/instances/2/hibernate", null).statusCode()).isEqualTo(202);
    await().atMost(SLOW).until(() -> "HIBERNATED".equals(instance(2).get("actualState").asText()));
    Instance gone = onDeadWorker();
    registry
        .addSkill("weather", "1.1.0", V2.formatted("weather", "weather"))
        .addSkill("notes", "1.1.0", V2.formatted("notes", "notes"));

    JsonNode run = runUpdateJob();

    assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
    assertThat(run.get("detail").asText())
        .contains("COMPLETED")
        .contains("updated 5, up to date 0, skipped 1, failed 0, not reached 1");
    JsonNode rollout = json.readTree(send("GET", "/api/v1/skills/rollouts/latest", null).body());
    assertThat(rollout.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(stage(rollout, "CANARY").get("instances").asInt()).isEqualTo(1);
    assertThat(stage(rollout, "CANARY").get("done").asInt()).isEqualTo(1);
    assertThat(stage(rollout, "REST").get("done").asInt()).isEqualTo(2);
    assertThat(stage(rollout, "REST").get("notReached").asInt()).isEqualTo(1);
    Instant canarySent =
        Instant.parse(reports(rollout, "CANARY").get(0).get("reportedAt").asText());
    for (JsonNode rest : reports(rollout, "REST")) {
      if (rest.get("instanceId").asText().equals(gone.id())) {
        assertThat(rest.get("status").asText()).isEqualTo("NOT_REACHED");
        assertThat(rest.get("detail").asText()).contains("is not alive");
      } else {
        assertThat(Instant.parse(rest.get("sentAt").asText()))
            .as("the rest are sent after the canary reported")
            .isAfter(canarySent);
      }
    }
    for (long tenant = 1; tenant <= 3; tenant++) {
      JsonNode weather = skill(instance(tenant), "weather");
      assertThat(weather.get("version").asText()).isEqualTo("1.1.0");
      assertThat(weather.get("fromVersion").asText()).isEqualTo("1.0.0");
      assertThat(weather.get("toVersion").asText()).isEqualTo("1.1.0");
      assertThat(weather.get("lastOutcome").asText()).isEqualTo("UPDATED");
    }
    JsonNode notes3 = skill(instance(3), "notes");
    assertThat(notes3.get("lastOutcome").asText()).isEqualTo("SKIPPED_LOCAL_EDITS");
    assertThat(notes3.get("version").asText()).isEqualTo("1.0.0");
    assertThat(Files.readString(edited)).contains("my own notes");
    assertThat(instance(2).get("actualState").asText())
        .as("updated on its files, not woken")
        .isEqualTo("HIBERNATED");
    JsonNode fleet = json.readTree(send("GET", "/api/v1/skills", null).body());
    assertThat(fleet.findValues("slug")).extracting(JsonNode::asText).contains("weather", "notes");
    assertThat(versionCount(fleet, "weather", "1.1.0")).isEqualTo(3);
    assertThat(registry.requests()).noneMatch(r -> r.contains("sync") || r.startsWith("POST"));

    // a bad release: the canary's gateway is not ready with it
    registry.addSkill(
        "weather", "1.2.0", V2.formatted("weather", "weather") + StandInGateway.NOT_READY_MARKER);
    JsonNode stopped = runUpdateJob();

    assertThat(stopped.get("status").asText()).as(stopped.toString()).isEqualTo("FAILED");
    assertThat(stopped.get("detail").asText()).contains("STOPPED").contains("not ready");
    JsonNode failed = json.readTree(send("GET", "/api/v1/skills/rollouts/latest", null).body());
    assertThat(failed.get("status").asText()).isEqualTo("STOPPED");
    assertThat(reports(failed, "REST"))
        .as("nothing sent to the rest; only the instance of the dead worker is recorded")
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.get("instanceId").asText()).isEqualTo(gone.id());
              assertThat(r.get("status").asText()).isEqualTo("NOT_REACHED");
            });
    String canary = reports(failed, "CANARY").get(0).get("instanceId").asText();
    assertThat(reports(failed, "ROLLBACK"))
        .singleElement()
        .satisfies(r -> assertThat(r.get("instanceId").asText()).isEqualTo(canary));
    for (long tenant = 1; tenant <= 3; tenant++) {
      JsonNode view = instance(tenant);
      JsonNode weather = skill(view, "weather");
      assertThat(weather.get("version").asText()).as("tenant " + tenant).isEqualTo("1.1.0");
      if (view.get("id").asText().equals(canary)) {
        assertThat(weather.get("lastOutcome").asText()).isEqualTo("ROLLED_BACK");
        assertThat(weather.get("fromVersion").asText()).isEqualTo("1.2.0");
      } else {
        assertThat(weather.get("lastOutcome").asText()).as("untouched").isEqualTo("UPDATED");
      }
    }
  }

  private JsonNode runUpdateJob() throws Exception {
    int before = jobRuns().size();
    HttpResponse<String> started = send("POST", "/api/v1/jobs/update-skills/run", null);
    assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    await()
        .atMost(SLOW)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              List<JsonNode> runs = jobRuns();
              return runs.size() > before && !"RUNNING".equals(runs.get(0).get("status").asText());
            });
    return jobRuns().get(0);
  }

  private List<JsonNode> jobRuns() throws Exception {
    List<JsonNode> runs = new ArrayList<>();
    json.readTree(send("GET", "/api/v1/job-runs?job=update-skills", null).body())
        .forEach(runs::add);
    return runs;
  }

  /** An instance row whose worker never heartbeats: it must be counted, not waited for. */
  private Instance onDeadWorker() {
    Instance row =
        Instance.provisioning(
            UUID.randomUUID().toString(),
            null,
            "worker-that-is-gone",
            E2eNode.FIRST_GATEWAY_PORT,
            "token",
            null,
            dir.resolve("nowhere").toString(),
            Instant.now());
    node.storage().dao(InstanceDao.class).insert(row);
    return row;
  }

  private Path workspace(long tenant) throws Exception {
    return node.instancesDir.resolve(instance(tenant).get("id").asText()).resolve("workspace");
  }

  private static JsonNode skill(JsonNode instance, String slug) {
    for (JsonNode skill : instance.get("skills")) {
      if (skill.get("slug").asText().equals(slug)) {
        return skill;
      }
    }
    throw new AssertionError("no skill " + slug + " in " + instance);
  }

  private static JsonNode stage(JsonNode rollout, String name) {
    for (JsonNode stage : rollout.get("stages")) {
      if (stage.get("stage").asText().equals(name)) {
        return stage;
      }
    }
    throw new AssertionError("no stage " + name + " in " + rollout);
  }

  private static List<JsonNode> reports(JsonNode rollout, String stage) {
    List<JsonNode> of = new ArrayList<>();
    rollout
        .get("reports")
        .forEach(
            r -> {
              if (r.get("stage").asText().equals(stage)) {
                of.add(r);
              }
            });
    return of;
  }

  private static int versionCount(JsonNode fleet, String slug, String version) {
    for (JsonNode skill : fleet) {
      if (skill.get("slug").asText().equals(slug)) {
        for (JsonNode v : skill.get("versions")) {
          if (version.equals(v.get("version").asText())) {
            return v.get("instances").asInt();
          }
        }
      }
    }
    return 0;
  }

  private JsonNode instance(long tenant) throws Exception {
    HttpResponse<String> response = send("GET", "/api/v1/instances/" + tenant, null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json.readTree(response.body());
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
