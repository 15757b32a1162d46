package io.clawhive.api.telegram;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.telegram.TelegramApiException;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.core.telegram.TelegramUnexpectedAnswerException;
import io.dropwizard.lifecycle.Managed;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front door's notices (invite-only, waitlist, slow down, text only, one person) go out here,
 * never on the thread that handles an update: {@link #tell} and {@link #tellOncePerPeriod} only
 * enqueue, so a polling batch or a webhook request never waits on Telegram. One sender thread sends
 * them in order through a {@link TelegramBotApi} whose retry policy honours 429's {@code
 * retry_after} (Telegram's flood limit is per bot, so while the thread waits every notice waits,
 * and the answers of the workers get the room). Each chat has a small token bucket of notices; the
 * queue is bounded. Whatever does not fit is dropped and counted: a notice is a courtesy, the
 * user's own message is settled before and without it.
 */
public final class NoticeSender implements Managed {
  /** Counter: notices Telegram accepted. */
  public static final String SENT = "telegram.notices.sent";

  /** Counter: notices not sent because the queue was full. */
  public static final String DROPPED = "telegram.notices.dropped";

  /** Counter: notices not sent because the chat's budget or the once-per-period rule said no. */
  public static final String RATE_LIMITED = "telegram.notices.rate_limited";

  /** Counter: notices Telegram refused or did not take after the retries. */
  public static final String FAILED = "telegram.notices.failed";

  /** Gauge: notices waiting in the queue. */
  public static final String PENDING = "telegram.notices.pending";

  private static final Logger LOG = LoggerFactory.getLogger(NoticeSender.class);
  private static final Duration STOP_GRACE = Duration.ofSeconds(5);

  /** One notice: a text to a chat, replying to a message when given. */
  record Notice(long chatId, String text, Integer replyTo) {}

  private final TelegramBotApi telegram;
  private final BlockingQueue<Notice> queue;
  private final TokenBuckets perChat;
  private final OncePerPeriod perPerson;
  private final Counter sent;
  private final Counter dropped;
  private final Counter rateLimited;
  private final Counter failed;
  private volatile boolean running;
  private Thread thread;

  /**
   * @param telegram the client notices go through (give it a retry policy fit for notices)
   * @param queueCapacity notices that may wait at once
   * @param perChatPerMinute notices a chat may get per minute, refilled continuously
   * @param perChatBurst notices a chat may get at once
   * @param personPeriod {@link #tellOncePerPeriod} tells one person at most once in this period
   * @param maxTrackedPeople people remembered for that rule (memory bound)
   */
  public NoticeSender(
      TelegramBotApi telegram,
      int queueCapacity,
      int perChatPerMinute,
      int perChatBurst,
      Duration personPeriod,
      int maxTrackedPeople,
      MetricRegistry metrics,
      Clock clock) {
    this.telegram = telegram;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.perChat = new TokenBuckets(perChatPerMinute, perChatBurst, clock);
    this.perPerson = new OncePerPeriod(personPeriod, maxTrackedPeople, clock);
    this.sent = metrics.counter(SENT);
    this.dropped = metrics.counter(DROPPED);
    this.rateLimited = metrics.counter(RATE_LIMITED);
    this.failed = metrics.counter(FAILED);
    metrics.gauge(PENDING, () -> (Gauge<Integer>) queue::size);
  }

  /**
   * Queues a notice to {@code chatId} within the chat's budget; never blocks. Returns whether it
   * was queued (false: over budget or queue full, counted).
   */
  public boolean tell(long chatId, String text, Integer replyTo) {
    if (perChat.take(chatId) != TokenBuckets.Verdict.ALLOWED) {
      rateLimited.inc();
      return false;
    }
    if (!queue.offer(new Notice(chatId, text, replyTo))) {
      dropped.inc();
      return false;
    }
    return true;
  }

  /**
   * Like {@link #tell}, but {@code person} hears at most one such notice per period (strangers: the
   * invite-only and waitlist replies). Returns whether it was queued.
   */
  public boolean tellOncePerPeriod(long person, long chatId, String text, Integer replyTo) {
    if (!perPerson.allow(person)) {
      rateLimited.inc();
      return false;
    }
    return tell(chatId, text, replyTo);
  }

  @Override
  public void start() {
    running = true;
    thread = new Thread(this::run, "telegram-notices");
    thread.setDaemon(true);
    thread.start();
    LOG.info(
        "Telegram notices: queue of {}, one sender thread ({})",
        queue.remainingCapacity(),
        telegram);
  }

  @Override
  public void stop() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.interrupt();
      thread.join(STOP_GRACE.toMillis());
    }
    int left = queue.size();
    queue.clear();
    if (left > 0) {
      dropped.inc(left);
      LOG.info("Telegram notices stopped; {} queued notice(s) not sent", left);
    }
  }

  private void run() {
    while (running) {
      Notice notice;
      try {
        notice = queue.poll(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (notice != null) {
        send(notice);
      }
    }
  }

  private void send(Notice notice) {
    try {
      telegram.sendMessage(notice.chatId(), notice.text(), notice.replyTo());
      sent.inc();
    } catch (TelegramUnexpectedAnswerException e) {
      // logged by the client; "ok": true means it was delivered
      (e.accepted() ? sent : failed).inc();
    } catch (TelegramApiException e) {
      failed.inc();
      if (running) {
        LOG.warn("Notice to chat {} not sent: {}", notice.chatId(), e.getMessage());
      }
    } catch (Throwable t) {
      failed.inc();
      LOG.warn("Notice to chat {} not sent", notice.chatId(), t);
    }
  }
}
