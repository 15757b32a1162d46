package io.clawhive.bench;

import io.clawhive.core.telegram.FakeTelegramBotApi;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Matches every {@code sendMessage} the node makes to the update it answers: the stand-in echoes
 * the text {@code b<update id>}, so the reply "echo: b<update id> (turn n)" names its update.
 */
final class Replies {

  static final String PREFIX = "b";
  private static final String ECHO = "echo: " + PREFIX;

  private final Map<Long, Long> sentAt = new ConcurrentHashMap<>();
  private final Set<Long> answered = ConcurrentHashMap.newKeySet();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong others = new AtomicLong();
  private volatile long[] latencies = new long[1 << 16];
  private volatile int recorded;
  private volatile long lastReplyNanos;

  /** Called before the update goes out. */
  void sending(long updateId, long nanos) {
    sentAt.put(updateId, nanos);
  }

  /** The update was refused: no reply is expected. */
  void forget(long updateId) {
    sentAt.remove(updateId);
  }

  void received(FakeTelegramBotApi.Sent sent) {
    String text = sent.text();
    if (!text.startsWith(ECHO)) {
      others.incrementAndGet();
      return;
    }
    int end = text.indexOf(' ', ECHO.length());
    long updateId = Long.parseLong(text.substring(ECHO.length(), end < 0 ? text.length() : end));
    if (!answered.add(updateId)) {
      duplicates.incrementAndGet();
      return;
    }
    Long at = sentAt.remove(updateId);
    if (at != null) {
      record(sent.at() - at, sent.at());
    }
  }

  private synchronized void record(long latency, long now) {
    if (recorded == latencies.length) {
      latencies = java.util.Arrays.copyOf(latencies, latencies.length * 2);
    }
    latencies[recorded++] = latency;
    lastReplyNanos = now;
  }

  /** Latencies recorded since the last reset; then starts a new phase. */
  synchronized long[] drain() {
    long[] out = java.util.Arrays.copyOf(latencies, recorded);
    recorded = 0;
    return out;
  }

  synchronized int recordedCount() {
    return recorded;
  }

  long lastReplyNanos() {
    return lastReplyNanos;
  }

  long duplicates() {
    return duplicates.get();
  }

  long otherMessages() {
    return others.get();
  }

  int unanswered() {
    return sentAt.size();
  }
}
