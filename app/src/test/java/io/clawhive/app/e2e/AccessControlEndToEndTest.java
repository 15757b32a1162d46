package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.TelegramOffsetDao;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.core.storage.UpdateStatus;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.worker.standin.StandIn;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access control at the front door (api role), through one whole node as in {@link
 * TelegramEndToEndTest}: roles api and worker from config.yml with the {@code api.access} settings
 * under test, long polling against the fake Bot API, stand-in gateways (no warm pool; at most two
 * stand-in processes per test). Every test checks what the fake Telegram received, the tenant and
 * instance rows, and the final status of every update id.
 *
 * <p>Updates meant to arrive in one {@code getUpdates} batch are queued while holding the fake's
 * monitor, so its long poll cannot return part of them.
 */
@Tag("infra")
class AccessControlEndToEndTest {
  private static final Duration REPLY = Duration.ofSeconds(60);
  private static final Duration QUIET = Duration.ofSeconds(2);

  /** Refill time of one token at the rate under test (6 a minute). */
  private static final Duration ONE_TOKEN = Duration.ofSeconds(10);

  /** The documented replies (README, "Telegram behaviour" → "Access control"). */
  private static final String INVITE_ONLY =
      "This bot is invite-only. If you have an invite code, send: /start YOUR-CODE";

  private static final String WAITLISTED =
      "Thanks for your interest! All agents are taken right now, so you are on the waitlist."
          + " Write again later; you get an agent as soon as one is free.";
  private static final String SLOW_DOWN =
      "You are sending messages faster than your agent can take them. Please wait a moment;"
          + " messages sent meanwhile are skipped.";

  @TempDir Path dir;
  private FakeTelegramBotApi telegram;
  private E2eNode node;

  @BeforeEach
  void startFakeTelegram() throws Exception {
    telegram = new FakeTelegramBotApi(E2eNode.BOT_TOKEN);
  }

  @AfterEach
  void stopAll() throws Exception {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      telegram.close();
    }
  }

  @Test
  void theAllowlistLetsListedUsersInAndTurnsOthersAwayWithoutAnInstance() throws Exception {
    node = pollingNode(Map.of("api.access.allowedUserIds", "1201, 1299"));
    updatesInOneBatch(
        FakeTelegramBotApi.textUpdate(1, 1201, "hello"),
        FakeTelegramBotApi.textUpdate(2, 1202, "let me in"),
        FakeTelegramBotApi.textUpdate(3, 1202, "please"));

    await().atMost(REPLY).until(() -> telegram.sentTo(1201).size() == 1);
    assertThat(telegram.sentTo(1201).get(0).text()).isEqualTo(echo("hello", 1));
    assertThat(tenant(1201)).hasValueSatisfying(t -> assertStatus(t, TenantStatus.ACTIVE));
    assertThat(instanceOf(1201).actualState()).isEqualTo(InstanceState.RUNNING);

    // a stranger hears "invite-only" once per period (one hour by default), not per message
    await().atMost(REPLY).until(() -> telegram.sentTo(1202).size() == 1);
    assertQuietly(1202, 1);
    assertThat(telegram.sentTo(1202))
        .extracting(Sent::text, Sent::replyTo)
        .containsExactly(tuple(INVITE_ONLY, 2));
    assertThat(telegram.actions()).noneMatch(a -> a.chatId() == 1202);
    assertThat(tenant(1202)).isEmpty();
    assertThat(node.storage().dao(InstanceDao.class).findByTenant(1202)).isEmpty();
    assertThat(tenantsOfInstances()).containsExactly(1201L);
    assertStatuses(
        Map.of(1L, UpdateStatus.ANSWERED, 2L, UpdateStatus.IGNORED, 3L, UpdateStatus.IGNORED));
  }

  @Test
  void theRightInviteCodeLetsAnUnlistedUserInAndAWrongOneDoesNot() throws Exception {
    node =
        pollingNode(
            Map.of(
                "api.access.allowedUserIds", "1299",
                "api.access.inviteCodes", "OPEN-SESAME, SECOND-CODE"));
    updatesInOneBatch(
        FakeTelegramBotApi.textUpdate(10, 1301, "/start WRONG-CODE"),
        FakeTelegramBotApi.textUpdate(11, 1301, "/start"),
        FakeTelegramBotApi.textUpdate(12, 1301, "hello"),
        FakeTelegramBotApi.textUpdate(13, 1302, "/start OPEN-SESAME"),
        FakeTelegramBotApi.textUpdate(14, 1302, "hello"));

    await().atMost(REPLY).until(() -> telegram.sentTo(1302).size() == 2);
    assertThat(telegram.sentTo(1302).get(0).text()).startsWith("Welcome!");
    assertThat(telegram.sentTo(1302).get(1).text()).isEqualTo(echo("hello", 1));
    assertThat(tenant(1302)).hasValueSatisfying(t -> assertStatus(t, TenantStatus.ACTIVE));
    assertThat(instanceOf(1302).actualState()).isEqualTo(InstanceState.RUNNING);

    await().atMost(REPLY).until(() -> telegram.sentTo(1301).size() == 1);
    assertQuietly(1301, 1);
    assertThat(telegram.sentTo(1301))
        .extracting(Sent::text, Sent::replyTo)
        .containsExactly(tuple(INVITE_ONLY, 10));
    assertThat(tenant(1301)).isEmpty();
    assertThat(tenantsOfInstances()).containsExactly(1302L);

    // once in, the code is not needed again: later messages are answered by the agent
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(15, 1302, "still there?"));
    await().atMost(REPLY).until(() -> telegram.sentTo(1302).size() == 3);
    assertThat(telegram.sentTo(1302).get(2).text()).isEqualTo(echo("still there?", 2));
    assertStatuses(
        Map.of(
            10L, UpdateStatus.IGNORED,
            11L, UpdateStatus.IGNORED,
            12L, UpdateStatus.IGNORED,
            13L, UpdateStatus.ANSWERED,
            14L, UpdateStatus.ANSWERED,
            15L, UpdateStatus.ANSWERED));
  }

  /**
   * Three new users in one batch (the poller handles different users in parallel) against a cap of
   * one: exactly one gets an agent, the others are waitlisted without an instance, and a waitlisted
   * user is promoted by a later message once there is room.
   */
  @Test
  void beyondTheInstanceCapNewUsersAreWaitlistedPolitelyAndPromotedWhenThereIsRoom()
      throws Exception {
    node = pollingNode(Map.of("api.access.maxInstances", "1"));
    updatesInOneBatch(
        FakeTelegramBotApi.textUpdate(20, 1401, "first"),
        FakeTelegramBotApi.textUpdate(21, 1402, "second"),
        FakeTelegramBotApi.textUpdate(22, 1403, "third"));

    await().atMost(REPLY).until(() -> telegram.sent().size() == 3);
    List<Tenant> active = node.storage().dao(TenantDao.class).listByStatus(TenantStatus.ACTIVE);
    assertThat(active).as("tenants under a cap of one").hasSize(1);
    long admitted = active.get(0).id();
    List<Long> waiting =
        node.storage().dao(TenantDao.class).listByStatus(TenantStatus.WAITLISTED).stream()
            .map(Tenant::id)
            .toList();
    assertThat(waiting).hasSize(2).doesNotContain(admitted);
    await().atMost(REPLY).until(() -> !telegram.sentTo(admitted).isEmpty());
    await().during(QUIET).atMost(QUIET.plusSeconds(5)).until(() -> telegram.sent().size() == 3);
    assertThat(telegram.sentTo(admitted))
        .singleElement()
        .satisfies(s -> assertThat(s.text()).startsWith("echo: ").endsWith("(turn 1)"));
    for (long user : waiting) {
      assertThat(telegram.sentTo(user)).extracting(Sent::text).containsExactly(WAITLISTED);
      assertThat(node.storage().dao(InstanceDao.class).findByTenant(user)).isEmpty();
    }
    assertThat(tenantsOfInstances()).containsExactly(admitted);
    assertThat(telegram.actions()).allMatch(a -> a.chatId() == admitted);
    assertStatuses(
        Map.of(
            20L, expectedFor(1401, admitted),
            21L, expectedFor(1402, admitted),
            22L, expectedFor(1403, admitted)));

    // still full: a waitlisted user's next message is settled, and not answered again within the
    // period (one waitlist reply per hour)
    long promoted = waiting.get(0);
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(23, promoted, "now?"));
    await().atMost(REPLY).until(() -> status(23) == UpdateStatus.IGNORED);
    assertQuietly(promoted, 1);
    assertThat(tenant(promoted)).hasValueSatisfying(t -> assertStatus(t, TenantStatus.WAITLISTED));

    // room again (the admitted tenant is blocked): the next message promotes and is answered
    node.storage().dao(TenantDao.class).updateStatus(admitted, TenantStatus.BLOCKED, Instant.now());
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(24, promoted, "and now?"));
    await().atMost(REPLY).until(() -> telegram.sentTo(promoted).size() == 2);
    assertThat(telegram.sentTo(promoted).get(1).text()).isEqualTo(echo("and now?", 1));
    assertThat(tenant(promoted)).hasValueSatisfying(t -> assertStatus(t, TenantStatus.ACTIVE));
    assertThat(instanceOf(promoted).actualState()).isEqualTo(InstanceState.RUNNING);
    assertThat(tenant(waiting.get(1)))
        .hasValueSatisfying(t -> assertStatus(t, TenantStatus.WAITLISTED));
    assertStatuses(Map.of(23L, UpdateStatus.IGNORED, 24L, UpdateStatus.ANSWERED));
  }

  /**
   * Burst 2, refilled at 6 a minute (one token per 10 s): of five messages sent at once the first
   * two are answered, the third gets the "please wait" reply, the rest nothing; every update is
   * settled once and the batch is confirmed to Telegram; after the refill the user is answered
   * again.
   */
  @Test
  void overTheRateLimitTheFirstExtraMessageGetsPleaseWaitAndFurtherOnesNothing() throws Exception {
    node =
        pollingNode(Map.of("api.access.rateLimitBurst", "2", "api.access.rateLimitPerMinute", "6"));
    updatesInOneBatch(
        FakeTelegramBotApi.textUpdate(30, 1501, "m0"),
        FakeTelegramBotApi.textUpdate(31, 1501, "m1"),
        FakeTelegramBotApi.textUpdate(32, 1501, "m2"),
        FakeTelegramBotApi.textUpdate(33, 1501, "m3"),
        FakeTelegramBotApi.textUpdate(34, 1501, "m4"));

    await().atMost(REPLY).until(() -> telegram.sentTo(1501).size() >= 3);
    assertQuietly(1501, 3);
    assertThat(telegram.sentTo(1501))
        .extracting(Sent::text, Sent::replyTo)
        .containsExactlyInAnyOrder(
            tuple(echo("m0", 1), 30), tuple(echo("m1", 2), 31), tuple(SLOW_DOWN, 32));
    assertThat(
            telegram.sentTo(1501).stream()
                .filter(s -> s.text().startsWith("echo: "))
                .map(Sent::text)
                .toList())
        .as("agent replies in order")
        .containsExactly(echo("m0", 1), echo("m1", 2));
    assertStatuses(
        Map.of(
            30L, UpdateStatus.ANSWERED,
            31L, UpdateStatus.ANSWERED,
            32L, UpdateStatus.IGNORED,
            33L, UpdateStatus.IGNORED,
            34L, UpdateStatus.IGNORED));
    assertThat(node.storage().dao(TelegramOffsetDao.class).findNextOffset("424242"))
        .as("the whole batch is confirmed to Telegram")
        .contains(35L);
    assertThat(telegram.pendingUpdates()).isZero();
    assertThat(tenantsOfInstances()).containsExactly(1501L);

    // the bucket was emptied before the "please wait" reply went out; 10 s later it holds a token
    long warnedAt =
        telegram.sentTo(1501).stream()
            .filter(sent -> sent.text().equals(SLOW_DOWN))
            .findFirst()
            .orElseThrow()
            .at();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> System.nanoTime() - warnedAt > ONE_TOKEN.plusMillis(500).toNanos());
    telegram.addUpdate(FakeTelegramBotApi.textUpdate(35, 1501, "m5"));
    await().atMost(REPLY).until(() -> telegram.sentTo(1501).size() == 4);
    assertThat(telegram.sentTo(1501).get(3))
        .extracting(Sent::text, Sent::replyTo)
        .containsExactly(echo("m5", 3), 35);
    assertStatuses(Map.of(35L, UpdateStatus.ANSWERED));
  }

  // ---- helpers ---------------------------------------------------------------------------

  private E2eNode pollingNode(Map<String, String> access) throws Exception {
    E2eNode built =
        new E2eNode(dir, "api,worker")
            .standIns(StandIn.program(), 0)
            .telegram(telegram.baseUrl(), "polling");
    access.forEach(built::set);
    return built.start();
  }

  /** Holding the fake's monitor, a pending long poll cannot return before all are queued. */
  private void updatesInOneBatch(JsonNode... updates) {
    synchronized (telegram) {
      for (var update : updates) {
        telegram.addUpdate(update);
      }
    }
  }

  private static String echo(String text, int turn) {
    return String.format("echo: %s (turn %d)", text, turn);
  }

  /** {@code user} has exactly {@code count} messages and gets no more for a while. */
  private void assertQuietly(long user, int count) {
    await()
        .during(QUIET)
        .atMost(QUIET.plusSeconds(5))
        .until(() -> telegram.sentTo(user).size() == count);
  }

  private Optional<Tenant> tenant(long id) {
    return node.storage().dao(TenantDao.class).findById(id);
  }

  private static void assertStatus(Tenant tenant, TenantStatus status) {
    assertThat(tenant.status()).as("tenant %d", tenant.id()).isEqualTo(status);
  }

  private Instance instanceOf(long tenant) {
    return node.storage().dao(InstanceDao.class).findByTenant(tenant).orElseThrow();
  }

  private List<Long> tenantsOfInstances() {
    return node.instances().stream().map(Instance::tenantId).toList();
  }

  private static UpdateStatus expectedFor(long user, long admitted) {
    return user == admitted ? UpdateStatus.ANSWERED : UpdateStatus.IGNORED;
  }

  /** Every listed update reaches its final status (answers are recorded just after sending). */
  private void assertStatuses(Map<Long, UpdateStatus> expected) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Map<Long, UpdateStatus> actual = new HashMap<>();
              expected.keySet().forEach(id -> actual.put(id, status(id)));
              assertThat(actual).isEqualTo(expected);
            });
  }

  private UpdateStatus status(long updateId) {
    return node.storage()
        .dao(ProcessedUpdateDao.class)
        .findById(updateId)
        .map(u -> u.status())
        .orElse(null);
  }
}
