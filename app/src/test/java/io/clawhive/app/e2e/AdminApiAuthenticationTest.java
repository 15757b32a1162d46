package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.core.storage.Instance;
import io.clawhive.worker.standin.StandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API's authentication on a whole running node: every method of the admin container
 * (found in its live resource model) refuses requests without the token, under any spelling of its
 * path, on either port, and nothing changes; the API lives on the admin port only; failures are
 * counted, logged without the token, and a burst from one address is slowed down.
 */
@Tag("infra")
class AdminApiAuthenticationTest {
  private static final Duration SLOW = Duration.ofSeconds(90);
  private static final String WRONG_TOKEN = "wrong-token-7f3a9c";
  private static final String BEARER = "Bearer " + E2eNode.ADMIN_TOKEN;
  private static final String MESSAGE = "{\"text\":\"hello\"}";

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
  void noMethodOfTheAdminApiIsReachedWithoutTheTokenUnderAnySpelling() throws Exception {
    node =
        new E2eNode(dir, "api,worker,scheduler")
            .standIns(StandIn.program(), 1)
            .set("api.adminAuthFailuresPerMinute", "100000")
            .start();
    int admin = node.adminPort();
    // a tenant with a running instance, so that restart, hibernate or delete would show
    RawHttp.Answer chat =
        RawHttp.send(admin, "POST", "/api/v1/instances/42/messages", BEARER, MESSAGE);
    assertThat(chat.status()).as(chat.text()).isEqualTo(200);
    await()
        .atMost(SLOW)
        .until(
            () ->
                node.instances().size() == 2
                    && node.instances().stream()
                        .allMatch(i -> "RUNNING".equals(i.actualState().name())));
    node.purgeSharedDeadLetters();
    List<String> before = snapshot();

    List<AdminEndpoints.Endpoint> endpoints = AdminEndpoints.live(node);
    assertThat(endpoints)
        .extracting(AdminEndpoints.Endpoint::toString)
        .contains(
            "GET /api/v1/workers",
            "GET /api/v1/instances",
            "GET /api/v1/job-runs",
            "GET /api/v1/dead-letters",
            "POST /api/v1/instances/{tenant}/messages",
            "POST /api/v1/instances/{tenant}/restart",
            "DELETE /api/v1/instances/{tenant}");

    List<String> reached = new ArrayList<>();
    int requests = 0;
    for (AdminEndpoints.Endpoint endpoint : endpoints) {
      for (String tenant : List.of("42", "5")) {
        String path = endpoint.path().replaceAll("\\{[^}]+}", tenant);
        for (String authorization : new String[] {null, "Bearer " + WRONG_TOKEN}) {
          RawHttp.Answer answer =
              RawHttp.send(admin, endpoint.method(), path, authorization, MESSAGE);
          requests++;
          if (answer.status() != 401) {
            reached.add(
                endpoint.method() + " " + path + " (" + authorization + ") -> " + answer.status());
          }
        }
        for (String spelling : spellings(path)) {
          for (int port : new int[] {admin, node.appPort()}) {
            RawHttp.Answer answer = RawHttp.send(port, endpoint.method(), spelling, null, MESSAGE);
            requests++;
            if (answer.success()) {
              reached.add(
                  endpoint.method() + " " + spelling + " on " + port + " -> " + answer.status());
            }
          }
        }
      }
    }
    assertThat(reached).as("answered without a valid token").isEmpty();
    assertThat(requests).isGreaterThan(1000);

    // the same raw client does see success with the token, and the node did not change
    assertThat(RawHttp.send(admin, "GET", "/api/v1/workers", BEARER, null).status()).isEqualTo(200);
    assertThat(snapshot()).isEqualTo(before);
    JsonNode letters =
        json.readTree(body(RawHttp.send(admin, "GET", "/api/v1/dead-letters", BEARER, null)));
    assertThat(letters.path("total").asLong()).isZero();

    String log = Files.readString(node.log);
    assertThat(log).contains("admin API authentication failed (WRONG) from 127.0.0.1");
    assertThat(log).doesNotContain(WRONG_TOKEN).doesNotContain(E2eNode.ADMIN_TOKEN);
  }

  @Test
  void theAdminApiLivesOnTheAdminPortBesideDropwizardsPagesAndThrottlesBursts() throws Exception {
    node = new E2eNode(dir, "api").set("api.adminAuthFailuresPerMinute", "3").start();
    int admin = node.adminPort();
    int app = node.appPort();

    assertThat(RawHttp.send(admin, "GET", "/api/v1/workers", BEARER, null).status()).isEqualTo(200);
    assertThat(RawHttp.send(app, "GET", "/api/v1/workers", BEARER, null).status()).isEqualTo(404);
    assertThat(RawHttp.send(app, "GET", "/api;x=1/v1/workers", null, null).status()).isEqualTo(404);
    for (String page : List.of("/healthcheck", "/metrics", "/ping", "/threads", "/prometheus")) {
      assertThat(RawHttp.send(admin, "GET", page, null, null).status()).as(page).isEqualTo(200);
    }
    assertThat(RawHttp.send(admin, "POST", "/tasks/gc", null, null).status()).isEqualTo(401);
    for (String spelling : spellings("/tasks/gc")) {
      RawHttp.Answer answer = RawHttp.send(admin, "POST", spelling, null, null);
      assertThat(answer.success()).as("POST %s -> %s", spelling, answer.status()).isFalse();
    }
    assertThat(RawHttp.send(admin, "POST", "/tasks/gc", BEARER, null).status()).isEqualTo(200);

    for (int i = 0; i < 3; i++) {
      assertThat(
              RawHttp.send(admin, "GET", "/api/v1/instances", "Bearer " + WRONG_TOKEN, null)
                  .status())
          .isEqualTo(401);
    }
    RawHttp.Answer throttled = RawHttp.send(admin, "GET", "/api/v1/instances", BEARER, null);
    assertThat(throttled.status()).isEqualTo(429);
    assertThat(throttled.text()).containsPattern("(?i)Retry-After: (1\\d|20)\r\n");

    JsonNode meters = json.readTree(body(RawHttp.send(admin, "GET", "/metrics", null, null)));
    assertThat(meters.at("/meters/api.admin.auth.failures/count").asLong()).isEqualTo(3);
    assertThat(meters.at("/meters/api.admin.auth.throttled/count").asLong()).isEqualTo(1);
    String log = Files.readString(node.log);
    assertThat(log)
        .contains("admin API authentication failed (WRONG) from 127.0.0.1: GET /api/v1/instances");
    assertThat(log).doesNotContain(WRONG_TOKEN);
  }

  /** Ways to spell {@code path} that a prefix check or a normaliser might see differently. */
  static Set<String> spellings(String path) {
    List<String> segments = List.of(path.substring(1).split("/"));
    Set<String> out = new LinkedHashSet<>();
    out.add(path);
    for (int i = 0; i < segments.size(); i++) {
      String segment = segments.get(i);
      for (String variant :
          List.of(
              segment + ";x=1",
              segment + ";",
              segment + ";x=1;y=2",
              segment + ";x=1/..;",
              segment + "%3Bx=1",
              String.format("%%%02X", (int) segment.charAt(0)) + segment.substring(1),
              segment.toUpperCase(Locale.ROOT),
              "/" + segment,
              "./" + segment,
              "x/../" + segment,
              "%2e/" + segment,
              "x/%2e%2e/" + segment,
              "..;/" + segment)) {
        out.add(replace(segments, i, variant));
      }
    }
    out.add("/" + path);
    out.add(path.toUpperCase(Locale.ROOT));
    out.add(path.replace("/", "//"));
    out.add("/" + String.join("%2F", segments));
    out.add("/" + String.join("%2f", segments));
    out.add("/" + String.join("\\", segments));
    out.add("/./" + path.substring(1));
    for (String suffix :
        List.of("/", "/.", ";", ";x=1", ".json", "%20", "%00", "?", "#x", "/x/..")) {
      out.add(path + suffix);
    }
    out.add("http://127.0.0.1" + path.replaceFirst("/api", "/api;x=1"));
    return out;
  }

  private static String replace(List<String> segments, int index, String variant) {
    List<String> copy = new ArrayList<>(segments);
    copy.set(index, variant);
    return "/" + String.join("/", copy);
  }

  /**
   * The instances as they matter here: who has one, and in which state, and how often restarted.
   */
  private List<String> snapshot() {
    return node.instances().stream()
        .sorted(Comparator.comparing(Instance::id))
        .map(
            i ->
                String.join(
                    " ",
                    i.id(),
                    String.valueOf(i.tenantId()),
                    i.desiredState().name(),
                    i.actualState().name(),
                    String.valueOf(i.restartCount()),
                    String.valueOf(i.pid()),
                    String.valueOf(i.lastActiveAt())))
        .toList();
  }

  private static String body(RawHttp.Answer answer) {
    assertThat(answer.status()).as(answer.text()).isEqualTo(200);
    return answer.body();
  }
}
