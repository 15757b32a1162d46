package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.clawhive.core.broker.AmqpConnections;
import io.clawhive.core.broker.BrokerTopology;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.JobRunDao;
import io.clawhive.core.storage.SkillInstall;
import io.clawhive.core.storage.SkillInstallDao;
import io.clawhive.core.storage.SkillInstallStatus;
import io.clawhive.core.storage.WorkerDao;
import io.clawhive.core.storage.WorkerNode;
import io.clawhive.core.storage.WorkerStatus;
import io.clawhive.worker.standin.StandIn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ops page in a real headless Chromium (through chromedriver) against a whole running node
 * whose instances are in several states: signing in (a wrong token first), what each section shows,
 * that hostile text from the database is shown as text, that the session cookie is HttpOnly and
 * SameSite=Strict and the token is in no URL, and signing out. Writes {@code target/ops-page.png}.
 */
@Tag("infra")
class OpsPageBrowserTest {
  static final Path SCREENSHOT = Path.of("target", "ops-page.png");
  private static final Duration SLOW = Duration.ofSeconds(90);
  private static final String BEARER = "Bearer " + E2eNode.ADMIN_TOKEN;
  private static final String HOSTILE_REASON =
      "gateway exited with code 78: <script>alert('x')</script> & \"quoted\"";

  @TempDir Path dir;
  private E2eNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void opsSignInAndSeeWorkersInstancesFailuresJobsDeadLettersAndSkills() throws Exception {
    assumeTrue(
        WebDriver.available(),
        "Debian chromium and chromium-driver are not installed (.ci/run installs them):"
            + " the browser test of the ops page is skipped");
    node =
        new E2eNode(dir, "api,worker,scheduler")
            .standIns(StandIn.program(), 1)
            .set("scheduler.healthCheckInterval", "1s")
            .start();
    int admin = node.adminPort();
    for (String tenant : new String[] {"42", "43"}) {
      RawHttp.Answer chat =
          RawHttp.send(
              admin,
              "POST",
              "/api/v1/instances/" + tenant + "/messages",
              BEARER,
              "{\"text\":\"hi\"}");
      assertThat(chat.status()).as(chat.text()).isEqualTo(200);
    }
    assertThat(RawHttp.send(admin, "POST", "/api/v1/instances/43/hibernate", BEARER, null).status())
        .isEqualTo(202);
    await().atMost(SLOW).until(() -> stateOf(43) == InstanceState.HIBERNATED);
    await()
        .atMost(SLOW)
        .until(
            () ->
                node.instances().stream()
                        .filter(i -> i.actualState() == InstanceState.RUNNING)
                        .count()
                    == 2);
    seedAGoneWorkerWithAFailedInstance();
    String instance42 = instanceOf(42).id();
    node.storage()
        .dao(SkillInstallDao.class)
        .upsert(
            new SkillInstall(
                0,
                instance42,
                "weather",
                "1.2.0",
                SkillInstallStatus.INSTALLED,
                null,
                Instant.now()));
    deadLetterOneUndecodableMessage();
    await().atMost(SLOW).until(() -> !node.storage().dao(JobRunDao.class).listRecent(1).isEmpty());
    await()
        .atMost(SLOW)
        .until(
            () ->
                RawHttp.send(admin, "GET", "/api/v1/dead-letters", BEARER, null)
                    .body()
                    .contains("\"total\":1"));

    RawHttp.Answer headers = RawHttp.send(admin, "GET", "/ops", null, null);
    assertThat(headers.status()).isEqualTo(200);
    assertThat(headers.text())
        .contains("Content-Security-Policy: default-src 'none'; style-src 'self'")
        .contains("X-Frame-Options: DENY")
        .contains("<input type=\"password\" id=\"token\"")
        .doesNotContain("read ");

    try (WebDriver browser =
        new WebDriver(dir.resolve("chromium-profile"), dir.resolve("driver.log"))) {
      browser.open(node.adminUrl("/ops"));
      assertThat(browser.title()).isEqualTo("clawhive ops: sign in");
      browser.type("#token", "not-the-token");
      browser.click("#sign-in");
      assertThat(browser.text("#login-error")).isEqualTo("Wrong admin token.");

      browser.type("#token", E2eNode.ADMIN_TOKEN);
      browser.click("#sign-in");
      assertThat(browser.title()).isEqualTo("clawhive ops");
      assertThat(browser.currentUrl())
          .isEqualTo(node.adminUrl("/ops/"))
          .doesNotContain(E2eNode.ADMIN_TOKEN);
      JsonNode cookies = browser.cookies();
      assertThat(cookies).hasSize(1);
      assertThat(cookies.get(0).path("name").asText()).isEqualTo("clawhive_ops");
      assertThat(cookies.get(0).path("httpOnly").asBoolean()).isTrue();
      assertThat(cookies.get(0).path("sameSite").asText()).isEqualTo("Strict");
      assertThat(cookies.get(0).path("value").asText()).doesNotContain(E2eNode.ADMIN_TOKEN);

      assertThat(browser.text("#state-running")).isEqualTo("2");
      assertThat(browser.text("#state-hibernated")).isEqualTo("1");
      assertThat(browser.text("#state-failed")).isEqualTo("1");
      assertThat(browser.text("#state-deleted")).isEqualTo("0");
      String workers = browser.text("#workers");
      assertThat(workers).contains(node.nodeId).contains("UP yes").contains("gone-worker");
      assertThat(workers).containsPattern("gone-worker \\S+ (UP|DEAD) NO \\d+ s ago 0 / 4 unknown");
      String failing = browser.text("#failing");
      assertThat(failing).contains("instance-gone-1").contains(HOSTILE_REASON);
      assertThat(browser.pageSource()).doesNotContain("<script>alert");
      assertThat(browser.text("#job-runs")).contains("check-health").contains("SUCCEEDED");
      assertThat(browser.text("#dead-letter-total")).isEqualTo("1 waiting");
      assertThat(browser.text("#dead-letters")).contains("undecodable");
      assertThat(browser.text("#skills")).contains("weather 1.2.0 INSTALLED 1");
      assertThat(browser.text("#usage")).contains("not recorded");
      browser.screenshot(SCREENSHOT);

      browser.click("#sign-out");
      await() // the click's navigation may not have finished when click() returns
          .atMost(Duration.ofSeconds(10))
          .until(() -> browser.title().equals("clawhive ops: sign in"));
      browser.open(node.adminUrl("/ops/"));
      assertThat(browser.title()).isEqualTo("clawhive ops: sign in");
    }
    assertThat(SCREENSHOT).isNotEmptyFile();
    node.assertLogClean();
  }

  private InstanceState stateOf(long tenant) {
    return instanceOf(tenant).actualState();
  }

  private Instance instanceOf(long tenant) {
    return node.storage().dao(InstanceDao.class).findByTenant(tenant).orElseThrow();
  }

  /** A worker that stopped beating ten minutes ago, with one FAILED instance of its own. */
  private void seedAGoneWorkerWithAFailedInstance() {
    Instant then = Instant.now().minus(Duration.ofMinutes(10));
    node.storage()
        .dao(WorkerDao.class)
        .upsertHeartbeat(
            new WorkerNode("gone-worker", "host-b", 4, 0, null, null, then, then, WorkerStatus.UP));
    node.storage()
        .dao(InstanceDao.class)
        .insert(
            new Instance(
                "instance-gone-1",
                null,
                "gone-worker",
                46_500,
                InstanceState.RUNNING,
                InstanceState.FAILED,
                "token-not-shown",
                null,
                "/nonexistent",
                null,
                5,
                5,
                HOSTILE_REASON,
                then,
                null,
                null,
                then,
                then,
                0));
  }

  /** Undecodable bytes on the node's own task queue go to the dead-letter queue at once. */
  private void deadLetterOneUndecodableMessage() throws Exception {
    node.purgeSharedDeadLetters();
    try (var connection = AmqpConnections.open(node.amqpUri(), "ops-page-test");
        var channel = connection.createChannel()) {
      channel.basicPublish(
          "",
          new BrokerTopology().workerQueue(node.nodeId),
          null,
          "not a task".getBytes(StandardCharsets.UTF_8));
    }
  }
}
