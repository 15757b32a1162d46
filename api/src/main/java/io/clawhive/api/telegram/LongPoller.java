package io.clawhive.api.telegram;

import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.TelegramOffsetDao;
import io.clawhive.core.telegram.IncomingUpdate;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.core.telegram.TelegramUnexpectedAnswerException;
import io.dropwizard.lifecycle.Managed;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.meta.api.objects.Update;

/**
 * Long polling: one thread calls {@code getUpdates} from the offset kept in storage, hands the
 * batch to {@link TelegramIngress} (in order per user, users in parallel), and advances the stored
 * offset once every update of the batch is durably recorded: its route task confirmed by the
 * broker, or its row settled in storage. Nothing outgoing is waited for: notices are only queued
 * (see {@link NoticeSender}) and answers come from the workers. A failure leaves the offset, waits
 * (doubling from {@link #INITIAL_BACKOFF} to {@link #MAX_BACKOFF}) and polls the same batch again,
 * so a restart or error never skips an update, and a repeat is dropped by the update-id dedupe. An
 * update that cannot be understood is recorded as IGNORED (see {@link UnparsableUpdates}) and
 * counts as settled, so it never holds back the updates after it.
 */
public final class LongPoller implements Managed {
  public static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
  public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  static final List<String> ALLOWED_UPDATES = List.of("message");
  private static final Logger LOG = LoggerFactory.getLogger(LongPoller.class);

  private final TelegramBotApi telegram;
  private final TelegramIngress ingress;
  private final UnparsableUpdates unparsable;
  private final Storage storage;
  private final Duration pollTimeout;
  private final Clock clock;

  /** Users whose updates are handled at once within one batch. */
  public static final int PARALLEL_USERS = 8;

  private final ExecutorService handlers =
      Executors.newFixedThreadPool(
          PARALLEL_USERS,
          r -> {
            Thread thread = new Thread(r, "telegram-ingress");
            thread.setDaemon(true);
            return thread;
          });
  private volatile boolean running;
  private Thread thread;

  public LongPoller(
      TelegramBotApi telegram,
      TelegramIngress ingress,
      Storage storage,
      Duration pollTimeout,
      MetricRegistry metrics,
      Clock clock) {
    this.telegram = telegram;
    this.ingress = ingress;
    this.unparsable = new UnparsableUpdates(storage, metrics, clock);
    this.storage = storage;
    this.pollTimeout = pollTimeout;
    this.clock = clock;
  }

  @Override
  public void start() {
    try {
      telegram.deleteWebhook();
    } catch (TelegramUnexpectedAnswerException e) {
      // Telegram said ok with an odd result: the webhook is gone, go on
      if (!e.accepted()) {
        throw e;
      }
    }
    running = true;
    thread = new Thread(this::run, "telegram-poller");
    thread.setDaemon(true);
    thread.start();
    LOG.info(
        "Telegram long polling started ({}, poll timeout {} s)", telegram, pollTimeout.toSeconds());
  }

  @Override
  public void stop() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.interrupt();
      thread.join(TimeUnit.SECONDS.toMillis(10));
    }
    handlers.shutdownNow();
    LOG.info("Telegram long polling stopped");
  }

  private void run() {
    Duration backoff = INITIAL_BACKOFF;
    while (running) {
      try {
        pollOnce();
        backoff = INITIAL_BACKOFF;
      } catch (Throwable t) {
        if (!running) {
          return;
        }
        LOG.warn(
            "Telegram polling failed: {}; polling again in {} s",
            t.toString(),
            backoff.toSeconds());
        if (!pause(backoff)) {
          return;
        }
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
    }
  }

  /**
   * One getUpdates round. Updates are grouped by user: each user's updates run in order, different
   * users in parallel. The stored offset moves past the batch only when every update in it is
   * settled; after a failure the batch is fetched again and the settled ones are dropped as
   * duplicates. Updates not understood are recorded first, in this thread.
   */
  void pollOnce() throws InterruptedException {
    TelegramOffsetDao offsets = storage.dao(TelegramOffsetDao.class);
    long offset = offsets.findNextOffset(telegram.botId()).orElse(0L);
    List<IncomingUpdate> updates = telegram.getUpdates(offset, pollTimeout, ALLOWED_UPDATES);
    if (updates.isEmpty()) {
      return;
    }
    Map<Long, List<Update>> byUser = new LinkedHashMap<>();
    long last = offset - 1;
    for (IncomingUpdate incoming : updates) {
      last = Math.max(last, incoming.updateId());
      if (incoming.understood()) {
        Update update = incoming.update();
        byUser.computeIfAbsent(userOf(update), u -> new ArrayList<>()).add(update);
      } else {
        unparsable.record(incoming);
      }
    }
    List<Future<?>> groups = new ArrayList<>();
    for (List<Update> group : byUser.values()) {
      groups.add(handlers.submit(() -> group.forEach(ingress::handle)));
    }
    for (Future<?> group : groups) {
      try {
        group.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("update not settled: " + e.getCause(), e.getCause());
      }
    }
    offsets.upsert(telegram.botId(), last + 1L, clock.instant());
  }

  /** The sender, or the update id (negated) for updates without one: each is its own group. */
  private static long userOf(Update update) {
    if (update.hasMessage() && update.getMessage().getFrom() != null) {
      return update.getMessage().getFrom().getId();
    }
    return -1L - update.getUpdateId();
  }

  private boolean pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
