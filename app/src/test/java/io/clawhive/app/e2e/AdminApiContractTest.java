package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.core.broker.AmqpConnections;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.SkillRolloutDao;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.worker.standin.StandIn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API's OpenAPI description ({@code GET /api/v1/openapi.json}) against a whole running
 * node: it describes exactly the methods of the live resource model; every endpoint is called for
 * real, and every answer (successes and refusals alike) has a described status and a body that
 * conforms to the described schema; rejected calls (no or wrong token 401, unknown tenant 404,
 * malformed id 400, invalid body 400/422) change nothing.
 */
@Tag("infra")
class AdminApiContractTest {
  private static final Duration SLOW = Duration.ofSeconds(90);
  private static final String BEARER = "Bearer " + E2eNode.ADMIN_TOKEN;
  private static final String MESSAGE = "{\"text\":\"hello\"}";

  /** The job run through the API: harmless, it prunes old history rows. */
  private static final String JOB = "prune-history";

  private static final List<String> MALFORMED_IDS =
      List.of("abc", "0", "-5", "4.2", "12345678901234567890", "%20");

  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();
  private final Set<String> covered = new TreeSet<>();
  private E2eNode node;
  private JsonNode description;
  private JsonSchemaCheck schemas;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void theDescriptionMatchesTheLiveResourcesAndEveryAnswer() throws Exception {
    node =
        new E2eNode(dir, "api,worker,scheduler")
            .standIns(StandIn.program(), 1)
            .set("scheduler.healthCheckInterval", "1s")
            .set("api.adminAuthFailuresPerMinute", "100000")
            .start();
    int admin = node.adminPort();
    assertThat(RawHttp.send(admin, "GET", "/api/v1/openapi.json", null, null).status())
        .isEqualTo(401);
    RawHttp.Answer served = RawHttp.send(admin, "GET", "/api/v1/openapi.json", BEARER, null);
    assertThat(served.status()).isEqualTo(200);
    description = json.readTree(served.body());
    schemas = new JsonSchemaCheck(description);
    assertThat(description.path("openapi").asText()).startsWith("3.");

    Set<String> described = new TreeSet<>();
    description
        .path("paths")
        .fields()
        .forEachRemaining(
            p -> p.getValue().fieldNames().forEachRemaining(m -> described.add(op(m, p.getKey()))));
    Set<String> live = new TreeSet<>();
    // OPTIONS is Jersey's own answer on every path (behind the token too), not an operation
    AdminEndpoints.live(node).stream()
        .filter(e -> !"OPTIONS".equals(e.method()))
        .forEach(e -> live.add(e.toString()));
    assertThat(described).as("described operations").isEqualTo(live);
    everyResponseHasASchema();

    // traffic, so that lists have members: a chat, the pool refill, health sweeps, a dead letter
    call("POST", "/api/v1/instances/{tenant}/messages", "42", "", MESSAGE, BEARER, 200);
    await()
        .atMost(SLOW)
        .until(
            () ->
                node.instances().size() == 2
                    && node.instances().stream()
                        .allMatch(i -> "RUNNING".equals(i.actualState().name())));
    deadLetterOneUndecodableMessage();
    await()
        .atMost(SLOW)
        .until(
            () ->
                body("GET", "/api/v1/instances/{tenant}/health", "42").path("recent").size() > 0
                    && body("GET", "/api/v1/dead-letters", "").path("total").asLong() == 1);

    rejectedCallsChangeNothing(described);

    call("GET", "/api/v1/openapi.json", "", "", null, BEARER, 200);
    assertThat(call("GET", "/api/v1/workers", "", "", null, BEARER, 200)).hasSize(1);
    assertThat(call("GET", "/api/v1/instances", "", "", null, BEARER, 200)).hasSize(2);
    call("GET", "/api/v1/instances/{tenant}", "42", "", null, BEARER, 200);
    call("GET", "/api/v1/instances/{tenant}/health", "42", "?limit=3", null, BEARER, 200);
    assertThat(call("GET", "/api/v1/job-runs", "", "?job=check-health&limit=5", null, BEARER, 200))
        .isNotEmpty();
    call("GET", "/api/v1/updates/ignored", "", "?unparsable=true", null, BEARER, 200);
    assertThat(
            call("GET", "/api/v1/admission", "", "?limit=10", null, BEARER, 200)
                .path("waitingUsers")
                .asInt())
        .isZero();
    call("GET", "/api/v1/usage", "", "", null, BEARER, 200);
    call("GET", "/api/v1/skills", "", "", null, BEARER, 200);
    call("GET", "/api/v1/skills/rollouts/latest", "", "", null, BEARER, 404);
    node.storage().dao(SkillRolloutDao.class).start("contract-test", Instant.now());
    call("GET", "/api/v1/skills/rollouts/latest", "", "", null, BEARER, 200);
    call("POST", "/api/v1/jobs/{name}/run", "", "", null, BEARER, 202);
    call(
        "GET", "/api/v1/usage/{tenant}", "42", "?from=2026-12-01&to=2026-12-03", null, BEARER, 200);
    call("GET", "/api/v1/usage", "", "?from=2026-12-03&to=2026-12-01", null, BEARER, 400);
    assertThat(call("GET", "/api/v1/dead-letters", "", "", null, BEARER, 200).path("letters"))
        .hasSize(1);
    assertThat(
            call(
                    "POST",
                    "/api/v1/dead-letters/replay",
                    "",
                    "?type=route_message",
                    null,
                    BEARER,
                    200)
                .path("replayed")
                .asInt())
        .isZero();
    call("POST", "/api/v1/instances/{tenant}/restart", "42", "", null, BEARER, 202);
    awaitState("RUNNING");
    call("POST", "/api/v1/instances/{tenant}/hibernate", "42", "", null, BEARER, 202);
    awaitState("HIBERNATED");
    call("POST", "/api/v1/instances/{tenant}/wake", "42", "", null, BEARER, 202);
    awaitState("RUNNING");
    call("DELETE", "/api/v1/instances/{tenant}", "42", "", null, BEARER, 202);
    await()
        .atMost(SLOW)
        .until(
            () -> RawHttp.send(admin, "GET", "/api/v1/instances/42", BEARER, null).status() == 404);

    Set<String> succeeded = new TreeSet<>();
    covered.stream()
        .filter(c -> c.matches(".* 2\\d\\d$"))
        .forEach(c -> succeeded.add(c.substring(0, c.lastIndexOf(' '))));
    assertThat(succeeded).as("operations called successfully").isEqualTo(described);
  }

  /** 401 for every operation without or with a wrong token; 400/404 for bad tenants; no change. */
  private void rejectedCallsChangeNothing(Set<String> described) throws Exception {
    List<String> before = snapshot();
    for (String operation : described) {
      String method = operation.substring(0, operation.indexOf(' '));
      String path = operation.substring(operation.indexOf(' ') + 1);
      String body = path.endsWith("/messages") ? MESSAGE : null;
      call(method, path, "42", "", body, null, 401);
      call(method, path, "42", "", body, "Bearer wrong-token", 401);
      call(method, path, "42", "", body, "Basic " + E2eNode.ADMIN_TOKEN, 401);
      if (path.contains("{tenant}")) {
        for (String malformed : MALFORMED_IDS) {
          JsonNode error = call(method, path, malformed, "", body, BEARER, 400);
          assertThat(error.path("message").asText()).contains("tenant must be a positive");
        }
        // chat creates the tenant's instance; usage is kept after an instance is gone
        if (!path.endsWith("/messages") && !path.startsWith("/api/v1/usage/")) {
          JsonNode error = call(method, path, "777", "", body, BEARER, 404);
          assertThat(error.path("message").asText()).isEqualTo("tenant 777 has no instance");
        }
      }
    }
    String messages = "/api/v1/instances/{tenant}/messages";
    call("POST", messages, "43", "", "{\"text\":\"\"}", BEARER, 422);
    call("POST", messages, "43", "", "{\"text\":[\"a\"]}", BEARER, 400);
    call("POST", messages, "43", "", "not json", BEARER, 400);
    assertThat(snapshot()).isEqualTo(before);
    assertThat(node.storage().dao(TenantDao.class).findById(43)).isEmpty();
  }

  private void everyResponseHasASchema() {
    for (Iterator<JsonNode> paths = description.path("paths").elements(); paths.hasNext(); ) {
      for (Iterator<JsonNode> ops = paths.next().elements(); ops.hasNext(); ) {
        JsonNode operation = ops.next();
        JsonNode responses = operation.path("responses");
        assertThat(responses.has("401")).as(operation.path("operationId").asText()).isTrue();
        responses
            .elements()
            .forEachRemaining(
                r ->
                    assertThat(
                            schemas
                                .resolve(r)
                                .path("content")
                                .path("application/json")
                                .has("schema"))
                        .as(operation.path("operationId") + " " + r)
                        .isTrue());
      }
    }
  }

  /**
   * Calls {@code method pathTemplate} with {@code tenant} in place of {@code {tenant}}, asserts the
   * status, that the description lists it for the operation, and that the body conforms.
   */
  private JsonNode call(
      String method,
      String template,
      String tenant,
      String query,
      String body,
      String authorization,
      int expected)
      throws Exception {
    String path = template.replace("{tenant}", tenant).replace("{name}", JOB) + query;
    RawHttp.Answer answer = RawHttp.send(node.adminPort(), method, path, authorization, body);
    assertThat(answer.status()).as("%s %s: %s", method, path, answer.text()).isEqualTo(expected);
    JsonNode response =
        description
            .path("paths")
            .path(template)
            .path(method.toLowerCase(java.util.Locale.ROOT))
            .path("responses")
            .path(Integer.toString(expected));
    assertThat(response.isMissingNode())
        .as("%s %s answers %d, which is not described", method, template, expected)
        .isFalse();
    JsonNode schema =
        schemas.resolve(response).path("content").path("application/json").path("schema");
    JsonNode value = json.readTree(answer.body());
    assertThat(schemas.problems(value, schema))
        .as("%s %s -> %d: %s", method, path, expected, answer.body())
        .isEmpty();
    covered.add(op(method, template) + " " + expected);
    return value;
  }

  private JsonNode body(String method, String template, String tenant) throws Exception {
    return call(method, template, tenant, "", null, BEARER, 200);
  }

  private void awaitState(String state) {
    await()
        .atMost(SLOW)
        .until(
            () ->
                state.equals(
                    body("GET", "/api/v1/instances/{tenant}", "42").path("actualState").asText()));
  }

  private static String op(String method, String path) {
    return method.toUpperCase(java.util.Locale.ROOT) + " " + path;
  }

  private void deadLetterOneUndecodableMessage() throws Exception {
    node.purgeSharedDeadLetters();
    try (var connection = AmqpConnections.open(node.amqpUri(), "contract-test");
        var channel = connection.createChannel()) {
      channel.basicPublish(
          "",
          new BrokerTopology().workerQueue(node.nodeId),
          null,
          "not a task".getBytes(StandardCharsets.UTF_8));
    }
  }

  private List<String> snapshot() {
    Set<String> rows = new LinkedHashSet<>();
    node.instances().stream()
        .sorted(Comparator.comparing(Instance::id))
        .forEach(
            i ->
                rows.add(
                    String.join(
                        " ",
                        i.id(),
                        String.valueOf(i.tenantId()),
                        i.desiredState().name(),
                        i.actualState().name(),
                        String.valueOf(i.restartCount()),
                        String.valueOf(i.pid()),
                        String.valueOf(i.lastStartedAt()))));
    return List.copyOf(rows);
  }
}
