package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Connection;
import io.clawhive.api.telegram.WebhookResource;
import io.clawhive.app.broker.TaskBus;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.UpdateStatus;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.worker.standin.StandIn;
import io.dropwizard.lifecycle.JettyManaged;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, webhook fuzzing, through one whole node in webhook mode (api + worker, stand-in
 * gateways, fake Bot API): thousands of requests with a wrong secret, malformed or oversized
 * bodies, wrongly typed fields and replays of real updates, four at a time. Asserted: no 5xx;
 * exactly the three real updates are routed and answered once each; nothing else reaches storage
 * except the wrongly typed updates that carry a usable {@code update_id} (recorded as IGNORED, not
 * understood, so Telegram moves on); no other tenant; the node is healthy; the heap after a GC is
 * within a generous bound of where it started (printed). Then, with the node's broker connection
 * closed, a new update is answered 503 so that Telegram delivers it again, and it stays unqueued.
 */
@Tag("infra")
class WebhookFuzzEndToEndTest {
  private static final long REAL_USER = 7_001L;
  private static final int REPLAYS = 30;
  private static final int PER_KIND = 700;
  private static final int OVERSIZED = 150;
  private static final long MEMORY_BOUND = 192L * 1024 * 1024;
  private static final Duration REPLY = Duration.ofSeconds(60);

  /** Id ranges per kind, so that storage can be checked kind by kind. */
  private static final long WRONG_SECRET_IDS = 100_000;

  private static final long OVERSIZED_IDS = 200_000;
  private static final long TYPED_IDS = 300_000;

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Random random = new Random(20261203L);
  private final Map<String, Map<Integer, AtomicInteger>> statuses = new ConcurrentHashMap<>();
  private final Map<String, String> problems = new ConcurrentHashMap<>();
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
  void fuzzedWebhookRequestsGetNo5xxAndQueueNothingAndAnOutageAnswers503() throws Exception {
    node =
        new E2eNode(dir, "api,worker")
            .standIns(StandIn.program(), 0)
            .telegram(telegram.baseUrl(), "webhook")
            // the outage at the end: the worker's consumer loses its connection on purpose
            .allowError("connection")
            .allowError("Connection")
            .start();
    MetricRegistry metrics = node.environment().metrics();
    long heapBefore = usedHeapAfterGc();

    List<Supplier<Request>> requests = new ArrayList<>();
    for (int i = 0; i < PER_KIND; i++) {
      long id = WRONG_SECRET_IDS + i;
      requests.add(() -> new Request("wrong secret", wrongSecret(), valid(id, "hi")));
      requests.add(() -> new Request("malformed", E2eNode.WEBHOOK_SECRET, malformed()));
      long typedId = TYPED_IDS + i;
      requests.add(
          () -> new Request("wrongly typed", E2eNode.WEBHOOK_SECRET, wronglyTyped(typedId)));
      requests.add(() -> new Request("bad update_id", E2eNode.WEBHOOK_SECRET, badUpdateId()));
    }
    for (int i = 0; i < OVERSIZED; i++) {
      long id = OVERSIZED_IDS + i;
      requests.add(() -> new Request("oversized", E2eNode.WEBHOOK_SECRET, oversized(id)));
    }
    for (int turn = 1; turn <= 3; turn++) {
      byte[] update = valid(turn, "real " + turn);
      for (int replay = 0; replay < REPLAYS; replay++) {
        requests.add(() -> new Request("real + replays", E2eNode.WEBHOOK_SECRET, update));
      }
    }
    java.util.Collections.shuffle(requests, random);
    // the real updates' first copies in order, so that the answers' turns are known
    for (int turn = 1; turn <= 3; turn++) {
      assertThat(
              post(
                  new Request(
                      "real + replays", E2eNode.WEBHOOK_SECRET, valid(turn, "real " + turn))))
          .isEqualTo(200);
    }
    ExecutorService clients = Executors.newFixedThreadPool(4);
    List<Future<Integer>> answers = new ArrayList<>();
    for (Supplier<Request> request : requests) {
      answers.add(clients.submit(() -> post(request.get())));
    }
    for (Future<Integer> answer : answers) {
      answer.get();
    }
    clients.shutdown();
    long heapAfter = usedHeapAfterGc();

    System.out.printf(
        "webhook fuzz: %d requests + 3 real ones; status by kind: %s%n",
        requests.size(), new TreeMap<>(statuses));
    System.out.printf(
        "heap after GC: %d MiB before, %d MiB after the fuzzing%n",
        heapBefore >> 20, heapAfter >> 20);
    assertThat(statuses.get("wrong secret").keySet()).containsOnly(401);
    assertThat(statuses.get("malformed").keySet()).containsOnly(400);
    assertThat(statuses.get("bad update_id").keySet()).containsOnly(400);
    // a server may close on a client still sending a body it will not read: no answer, no 5xx
    assertThat(statuses.get("oversized").keySet()).isSubsetOf(413, -1).contains(413);
    assertThat(statuses.get("wrongly typed").keySet()).containsOnly(200);
    assertThat(statuses.get("real + replays").keySet()).containsOnly(200);

    await().atMost(REPLY).until(() -> telegram.sentTo(REAL_USER).size() == 3);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> telegram.sent().size() == 3);
    assertThat(telegram.sentTo(REAL_USER))
        .extracting(Sent::text)
        .containsExactly("echo: real 1 (turn 1)", "echo: real 2 (turn 2)", "echo: real 3 (turn 3)");
    assertThat(metrics.meter(MetricRegistry.name("tasks.published", RouteMessage.TYPE)).getCount())
        .as("route tasks published")
        .isEqualTo(3);
    assertThat(node.storage().dao(TenantDao.class).listAll())
        .extracting(Tenant::id)
        .containsExactly(REAL_USER);
    assertThat(rowsWithIdsIn(WRONG_SECRET_IDS, WRONG_SECRET_IDS + PER_KIND)).isZero();
    assertThat(rowsWithIdsIn(OVERSIZED_IDS, OVERSIZED_IDS + OVERSIZED)).isZero();
    assertThat(rowsWithIdsIn(TYPED_IDS, TYPED_IDS + PER_KIND))
        .as("wrongly typed with a usable update_id: recorded as not understood")
        .isEqualTo(PER_KIND);
    assertThat(node.storage().dao(ProcessedUpdateDao.class).listUnparsable(PER_KIND + 10))
        .hasSize(PER_KIND);
    assertThat(rowsWithIdsIn(Long.MIN_VALUE, Long.MAX_VALUE))
        .as("nothing else recorded")
        .isEqualTo(PER_KIND + 3);
    assertThat(node.instances()).hasSize(1);
    assertThat(get(node.adminUrl("/healthcheck"))).isEqualTo(200);
    assertThat(heapAfter - heapBefore).as("heap growth").isLessThan(MEMORY_BOUND);

    // broker outage: the update is not acknowledged, so Telegram delivers it again later
    brokerConnection().close();
    assertThat(post(new Request("outage", E2eNode.WEBHOOK_SECRET, valid(4, "during the outage"))))
        .isEqualTo(503);
    assertThat(node.storage().dao(ProcessedUpdateDao.class).findById(4))
        .hasValueSatisfying(u -> assertThat(u.status()).isEqualTo(UpdateStatus.RECEIVED));
    assertThat(metrics.meter(MetricRegistry.name("tasks.published", RouteMessage.TYPE)).getCount())
        .isEqualTo(3);
  }

  private record Request(String kind, String secret, byte[] body) {}

  /**
   * One request on its own connection ({@code Connection: close}), as a client that does not reuse
   * connections would send it; -1 when no HTTP answer came back (the problem is kept per kind).
   */
  private int post(Request request) {
    int status;
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.appPort())) {
      socket.setSoTimeout(30_000);
      StringBuilder head =
          new StringBuilder("POST /telegram/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n")
              .append("Connection: close\r\nContent-Type: ")
              .append(random.nextInt(4) == 0 ? "text/plain" : "application/json")
              .append("\r\nContent-Length: ")
              .append(request.body().length)
              .append("\r\n");
      if (request.secret() != null) {
        head.append(WebhookResource.SECRET_HEADER).append(": ").append(request.secret());
        head.append("\r\n");
      }
      OutputStream out = socket.getOutputStream();
      try {
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(request.body());
        out.flush();
      } catch (IOException e) {
        // the server may answer (413) and close before it took the whole body: read its answer
      }
      String statusLine =
          new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
      status = statusLine.startsWith("HTTP/1.1 ") ? Integer.parseInt(statusLine.substring(9)) : -1;
    } catch (IOException e) {
      problems.putIfAbsent(request.kind(), e.toString());
      status = -1;
    }
    statuses
        .computeIfAbsent(request.kind(), k -> new ConcurrentHashMap<>())
        .computeIfAbsent(status, s -> new AtomicInteger())
        .incrementAndGet();
    return status;
  }

  private byte[] valid(long updateId, String text) {
    return bytes(FakeTelegramBotApi.textUpdate(updateId, REAL_USER, text).toString());
  }

  private String wrongSecret() {
    return switch (random.nextInt(5)) {
      case 0 -> null;
      case 1 -> E2eNode.WEBHOOK_SECRET.toUpperCase(java.util.Locale.ROOT);
      case 2 -> E2eNode.WEBHOOK_SECRET.substring(0, E2eNode.WEBHOOK_SECRET.length() - 1);
      case 3 -> E2eNode.WEBHOOK_SECRET + "x";
      default -> "guess-" + random.nextInt(1_000_000);
    };
  }

  private byte[] malformed() {
    String whole =
        FakeTelegramBotApi.textUpdate(900_000 + random.nextInt(1000), REAL_USER, "x").toString();
    return switch (random.nextInt(7)) {
      case 0 -> bytes(whole.substring(0, 1 + random.nextInt(whole.length() - 2)));
      case 1 -> {
        byte[] noise = new byte[1 + random.nextInt(4096)];
        random.nextBytes(noise);
        yield noise;
      }
      case 2 -> new byte[0];
      case 3 -> bytes("[".repeat(5_000) + "]".repeat(5_000));
      case 4 -> bytes("{\"update_id\": 900001, \"message\": {\"text\": \"\\uZZZZ\"}}");
      case 5 -> {
        byte[] invalidUtf8 = bytes(whole);
        invalidUtf8[whole.indexOf("\"x\"") + 1] = (byte) 0xC3;
        invalidUtf8[whole.indexOf("\"x\"") + 2] = (byte) 0x28;
        yield invalidUtf8;
      }
      default -> bytes("{\"update_id\": 900002,,}");
    };
  }

  private byte[] badUpdateId() {
    ObjectNode update = FakeTelegramBotApi.textUpdate(1, REAL_USER, "hi");
    switch (random.nextInt(8)) {
      case 0 -> update.put("update_id", "12345");
      case 1 -> update.put("update_id", 1.5);
      case 2 -> update.put("update_id", true);
      case 3 -> update.putNull("update_id");
      case 4 -> update.putArray("update_id").add(1);
      case 5 -> update.put("update_id", new java.math.BigInteger("123456789012345678901234567890"));
      case 6 -> update.remove("update_id");
      default -> {
        return bytes("[" + update + "]");
      }
    }
    return bytes(update.toString());
  }

  /** A usable update_id, but fields no reader can take as what they must be. */
  private byte[] wronglyTyped(long updateId) {
    ObjectNode update = FakeTelegramBotApi.textUpdate(updateId, REAL_USER, "hi");
    ObjectNode message = (ObjectNode) update.get("message");
    switch (random.nextInt(5)) {
      case 0 -> message.putArray("chat").add(1);
      case 1 -> ((ObjectNode) message.get("chat")).put("id", "chat of words");
      case 2 -> message.put("date", "yesterday");
      case 3 -> ((ObjectNode) message.get("from")).putObject("id").put("nested", 1);
      default -> update.put("message", "a message as a string");
    }
    return bytes(update.toString());
  }

  private byte[] oversized(long updateId) {
    int size = 260 * 1024 + random.nextInt(1024 * 1024);
    return valid(updateId, "y".repeat(size));
  }

  private long rowsWithIdsIn(long from, long to) {
    return node.storage()
        .jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT COUNT(*) FROM processed_updates"
                            + " WHERE update_id >= :from AND update_id < :to")
                    .bind("from", from)
                    .bind("to", to)
                    .mapTo(Long.class)
                    .one());
  }

  /** The node's own AMQP connection (publisher and consumers share it). */
  private Connection brokerConnection() {
    return node.environment().lifecycle().getManagedObjects().stream()
        .filter(JettyManaged.class::isInstance)
        .map(m -> ((JettyManaged) m).getManaged())
        .filter(TaskBus.class::isInstance)
        .map(m -> ((TaskBus) m).connection())
        .findFirst()
        .orElseThrow();
  }

  private int get(String url) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static long usedHeapAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
