package io.clawhive.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.api.telegram.WebhookResource;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends Telegram updates to the node's webhook (with the secret), round-robin over the tenants:
 * open loop at a fixed rate, or closed loop with N senders at maximum. Counts what the node
 * accepted (200) and what it refused or failed.
 */
final class WebhookDriver implements AutoCloseable {

  static final long FIRST_USER = 7_000_000L;

  /** Open-loop sends in flight at most; beyond it the driver itself falls behind (reported). */
  static final int MAX_IN_FLIGHT = 512;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI webhook;
  private final int tenants;
  private final Replies replies;
  private final ExecutorService pool = Executors.newFixedThreadPool(4);
  private final HttpClient client;
  private final AtomicLong updateIds = new AtomicLong(1);
  final AtomicLong accepted = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong lagged = new AtomicLong();

  WebhookDriver(String webhookUrl, int tenants, Replies replies) {
    this.webhook = URI.create(webhookUrl);
    this.tenants = tenants;
    this.replies = replies;
    this.client =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool).build();
  }

  void resetCounts() {
    accepted.set(0);
    refused.set(0);
    lagged.set(0);
  }

  private HttpRequest request(long updateId) {
    long user = FIRST_USER + updateId % tenants;
    byte[] body;
    try {
      body =
          JSON.writeValueAsBytes(
              FakeTelegramBotApi.textUpdate(updateId, user, Replies.PREFIX + updateId));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    return HttpRequest.newBuilder(webhook)
        .timeout(REQUEST_TIMEOUT)
        .header(WebhookResource.SECRET_HEADER, BenchNode.WEBHOOK_SECRET)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
  }

  private void settle(long updateId, int status, Throwable failure) {
    if (failure == null && status == 200) {
      accepted.incrementAndGet();
    } else {
      refused.incrementAndGet();
      replies.forget(updateId);
    }
  }

  /** One update to every tenant (each gets its gateway), sent one by one. */
  void oneEach() throws Exception {
    for (int t = 0; t < tenants; t++) {
      long id = updateIds.getAndIncrement();
      replies.sending(id, System.nanoTime());
      HttpResponse<Void> r = client.send(request(id), HttpResponse.BodyHandlers.discarding());
      settle(id, r.statusCode(), null);
    }
  }

  /** Open loop: {@code rate} updates per second for {@code length}; answers the count sent. */
  long fixedRate(int rate, Duration length) throws InterruptedException {
    Semaphore window = new Semaphore(MAX_IN_FLIGHT);
    long total = rate * length.toSeconds();
    long interval = 1_000_000_000L / rate;
    long start = System.nanoTime();
    for (long i = 0; i < total; i++) {
      long due = start + i * interval;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      if (!window.tryAcquire()) {
        lagged.incrementAndGet();
        window.acquire();
      }
      long id = updateIds.getAndIncrement();
      replies.sending(id, System.nanoTime());
      CompletableFuture<HttpResponse<Void>> sent =
          client.sendAsync(request(id), HttpResponse.BodyHandlers.discarding());
      sent.whenComplete(
          (r, e) -> {
            settle(id, r == null ? 0 : r.statusCode(), e);
            window.release();
          });
    }
    window.acquire(MAX_IN_FLIGHT);
    return total;
  }

  /** Closed loop: {@code senders} threads each send the next update when the last is answered. */
  long maximum(int senders, Duration length) throws InterruptedException {
    ExecutorService threads = Executors.newFixedThreadPool(senders);
    long deadline = System.nanoTime() + length.toNanos();
    AtomicLong sent = new AtomicLong();
    for (int s = 0; s < senders; s++) {
      threads.submit(
          () -> {
            while (System.nanoTime() < deadline) {
              long id = updateIds.getAndIncrement();
              replies.sending(id, System.nanoTime());
              sent.incrementAndGet();
              try {
                HttpResponse<Void> r =
                    client.send(request(id), HttpResponse.BodyHandlers.discarding());
                settle(id, r.statusCode(), null);
              } catch (Exception e) {
                settle(id, 0, e);
              }
            }
            return null;
          });
    }
    threads.shutdown();
    threads.awaitTermination(length.toSeconds() + 60, TimeUnit.SECONDS);
    return sent.get();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
