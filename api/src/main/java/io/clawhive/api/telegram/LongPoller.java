package io.clawhive.api.telegram;

import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.TelegramOffsetDao;
import io.clawhive.core.telegram.TelegramBotApi;
import io.dropwizard.lifecycle.Managed;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.meta.api.objects.Update;

/**
 * Long polling: one thread calls {@code getUpdates} from the offset kept in storage, hands each
 * update to {@link TelegramIngress} in order, and advances the stored offset after each one is
 * settled. A failure stops the batch before the failed update, waits (doubling from {@link
 * #INITIAL_BACKOFF} to {@link #MAX_BACKOFF}) and polls again from there, so a restart or error
 * neither skips nor repeats an update (a repeat would be dropped by the dedupe anyway).
 */
public final class LongPoller implements Managed {
  public static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);
  public static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  static final List<String> ALLOWED_UPDATES = List.of("message");
  private static final Logger LOG = LoggerFactory.getLogger(LongPoller.class);

  private final TelegramBotApi telegram;
  private final TelegramIngress ingress;
  private final Storage storage;
  private final Duration pollTimeout;
  private final Clock clock;
  private volatile boolean running;
  private Thread thread;

  public LongPoller(
      TelegramBotApi telegram,
      TelegramIngress ingress,
      Storage storage,
      Duration pollTimeout,
      Clock clock) {
    this.telegram = telegram;
    this.ingress = ingress;
    this.storage = storage;
    this.pollTimeout = pollTimeout;
    this.clock = clock;
  }

  @Override
  public void start() {
    telegram.deleteWebhook();
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

  /** One getUpdates round; each settled update advances the stored offset. */
  void pollOnce() {
    TelegramOffsetDao offsets = storage.dao(TelegramOffsetDao.class);
    long offset = offsets.findNextOffset(telegram.botId()).orElse(0L);
    List<Update> updates = telegram.getUpdates(offset, pollTimeout, ALLOWED_UPDATES);
    for (Update update : updates) {
      if (!running) {
        return;
      }
      ingress.handle(update);
      offsets.upsert(telegram.botId(), update.getUpdateId() + 1L, clock.instant());
    }
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
