package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.worker.standin.StandIn;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's metrics on a whole node after known traffic: {@code /metrics} (Dropwizard JSON)
 * and {@code /prometheus} (text) agree, and each counter moved by exactly what was done — answers
 * and their latency, gateway chat calls, tasks per type, pool claims against cold creates, cold /
 * wake / restart start times, restarts by reason, instances by state, queue depths, job runs.
 */
@Tag("infra")
class MetricsEndToEndTest {
  private static final Duration SLOW = Duration.ofSeconds(90);
  private static final String BEARER = "Bearer " + E2eNode.ADMIN_TOKEN;
  private static final Path DASHBOARD =
      E2eNode.CONFIG.resolveSibling("deploy").resolve("grafana").resolve("clawhive-dashboard.json");
  private static final java.util.regex.Pattern METRIC_NAME =
      java.util.regex.Pattern.compile(
          "\\b(?:messages|gateway|instances|tasks|jobs|api)_[a-z0-9_]*[a-z0-9]\\b");

  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();
  private E2eNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void countersMoveByWhatWasDone() throws Exception {
    node =
        new E2eNode(dir, "api,worker,scheduler")
            .standIns(StandIn.program(), 1)
            .set("scheduler.healthCheckInterval", "1s")
            .start();
    await().atMost(SLOW).until(() -> running() == 1);
    node.purgeSharedDeadLetters(); // letters other tests left on a shared RabbitMQ are not ours
    JsonNode before = metrics();
    Map<String, Double> promBefore = prometheus();

    for (int i = 0; i < 3; i++) {
      chat(42);
    }
    await().atMost(SLOW).until(() -> running() == 2);
    chat(43);
    await().atMost(SLOW).until(() -> running() == 3);
    admin("POST", "/api/v1/instances/43/hibernate", 202);
    await().atMost(SLOW).until(() -> stateOf(43) == InstanceState.HIBERNATED);
    admin("POST", "/api/v1/instances/43/wake", 202);
    await().atMost(SLOW).until(() -> stateOf(43) == InstanceState.RUNNING);
    Instant started = instance(42).lastStartedAt();
    admin("POST", "/api/v1/instances/42/restart", 202);
    await()
        .atMost(SLOW)
        .until(
            () ->
                stateOf(42) == InstanceState.RUNNING
                    && !started.equals(instance(42).lastStartedAt()));
    await()
        .atMost(SLOW)
        .until(() -> metrics().at("/meters/jobs.check-health.succeeded/count").asLong() > 0);

    JsonNode after = metrics();
    Map<String, Double> promAfter = prometheus();
    assertThat(delta(before, after, "/timers/messages.answer.latency/count")).isEqualTo(4);
    assertThat(delta(before, after, "/timers/gateway.chat/count")).isEqualTo(4);
    assertThat(delta(before, after, "/meters/tasks.delivered.route_message/count")).isEqualTo(4);
    assertThat(delta(before, after, "/meters/tasks.acked.route_message/count")).isEqualTo(4);
    assertThat(delta(before, after, "/meters/tasks.published.hibernate_instance/count"))
        .isEqualTo(1);
    assertThat(delta(before, after, "/meters/tasks.acked.wake_instance/count")).isEqualTo(1);
    assertThat(delta(before, after, "/meters/tasks.acked.restart_instance/count")).isEqualTo(1);
    assertThat(delta(before, after, "/counters/instances.claimed/count")).isEqualTo(2);
    assertThat(delta(before, after, "/counters/instances.cold_created/count")).isZero();
    assertThat(delta(before, after, "/counters/instances.provisioned/count")).isEqualTo(2);
    assertThat(delta(before, after, "/timers/instances.claim/count")).isEqualTo(2);
    assertThat(delta(before, after, "/timers/instances.start.cold/count")).isEqualTo(2);
    assertThat(delta(before, after, "/timers/instances.start.wake/count")).isEqualTo(1);
    assertThat(delta(before, after, "/timers/instances.start.restart/count")).isEqualTo(1);
    assertThat(delta(before, after, "/meters/instances.restarts.requested/count")).isEqualTo(1);
    assertThat(after.at("/timers/messages.answer.latency/max").asDouble()).isPositive();
    assertThat(after.at("/gauges/instances.running/value").asLong()).isEqualTo(3);
    assertThat(after.at("/gauges/instances.hibernated/value").asLong()).isZero();
    assertThat(after.at("/gauges/tasks.queue.depth/value").asLong()).isZero();
    assertThat(after.at("/gauges/tasks.dead_letters.depth/value").asLong()).isZero();
    assertThat(after.at("/meters/jobs.check-health.failed/count").asLong()).isZero();
    assertThat(after.at("/timers/jobs.check-health.duration/count").asLong()).isPositive();
    java.util.List<String> names = new java.util.ArrayList<>();
    for (String kind : new String[] {"gauges", "counters", "meters", "timers", "histograms"}) {
      after.path(kind).fieldNames().forEachRemaining(names::add);
    }
    assertThat(names)
        .as("never tagged by tenant")
        .noneMatch(n -> n.matches(".*(^|\\.)4[23](\\.|$).*"));

    assertThat(promAfter.get("messages_answer_latency_seconds_count"))
        .isEqualTo(promBefore.get("messages_answer_latency_seconds_count") + 4);
    assertThat(promAfter.get("gateway_chat_seconds_count"))
        .isEqualTo(promBefore.get("gateway_chat_seconds_count") + 4);
    assertThat(promAfter.get("tasks_delivered_route_message_total"))
        .isEqualTo(promBefore.getOrDefault("tasks_delivered_route_message_total", 0.0) + 4);
    assertThat(promAfter.get("instances_claimed"))
        .isEqualTo(promBefore.get("instances_claimed") + 2);
    assertThat(promAfter.get("instances_restarts_requested_total")).isEqualTo(1);
    assertThat(promAfter.get("instances_start_wake_seconds_count")).isEqualTo(1);
    assertThat(promAfter.get("instances_running")).isEqualTo(3);
    assertThat(promAfter.get("tasks_queue_depth")).isZero();
    assertThat(promAfter.get("jobs_check_health_duration_seconds_count")).isPositive();
    assertThat(promAfter.get("messages_answer_latency_seconds{quantile=\"0.99\"}")).isPositive();
    everyNameOnTheDashboardIsServed(promAfter);
  }

  /** The Grafana dashboard asks only for series that /prometheus serves (regex selectors aside). */
  private void everyNameOnTheDashboardIsServed(Map<String, Double> samples) throws Exception {
    JsonNode dashboard = json.readTree(DASHBOARD.toFile());
    java.util.Set<String> served = new java.util.HashSet<>();
    samples.keySet().forEach(k -> served.add(k.replaceAll("\\{.*", "")));
    java.util.Set<String> asked = new java.util.TreeSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText().replaceAll("\"[^\"]*\"", "\"\"");
        java.util.regex.Matcher names = METRIC_NAME.matcher(expr);
        while (names.find()) {
          asked.add(names.group());
        }
      }
    }
    assertThat(asked).hasSizeGreaterThan(15);
    assertThat(served).containsAll(asked);
  }

  private void chat(long tenant) throws Exception {
    admin("POST", "/api/v1/instances/" + tenant + "/messages", 200);
  }

  private void admin(String method, String path, int expected) throws Exception {
    RawHttp.Answer answer =
        RawHttp.send(node.adminPort(), method, path, BEARER, "{\"text\":\"hello\"}");
    assertThat(answer.status()).as(answer.text()).isEqualTo(expected);
  }

  private long running() {
    return node.instances().stream().filter(i -> i.actualState() == InstanceState.RUNNING).count();
  }

  private Instance instance(long tenant) {
    return node.storage().dao(InstanceDao.class).findByTenant(tenant).orElseThrow();
  }

  private InstanceState stateOf(long tenant) {
    return instance(tenant).actualState();
  }

  private JsonNode metrics() throws Exception {
    RawHttp.Answer answer = RawHttp.send(node.adminPort(), "GET", "/metrics", null, null);
    assertThat(answer.status()).isEqualTo(200);
    return json.readTree(answer.body());
  }

  private static long delta(JsonNode before, JsonNode after, String pointer) {
    assertThat(after.at(pointer).isMissingNode()).as("%s is reported", pointer).isFalse();
    return after.at(pointer).asLong() - before.at(pointer).asLong(0);
  }

  /** Sample name (with labels) → value, from the Prometheus text format. */
  private Map<String, Double> prometheus() throws Exception {
    RawHttp.Answer answer = RawHttp.send(node.adminPort(), "GET", "/prometheus", null, null);
    assertThat(answer.status()).isEqualTo(200);
    Map<String, Double> samples = new HashMap<>();
    for (String line : answer.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return samples;
  }
}
