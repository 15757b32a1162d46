package io.clawhive.api;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.clawhive.api.telegram.NoticeSender;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.core.telegram.TelegramRetryPolicy;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The front door's notices (invite-only, waitlist, slow down, …): sent asynchronously through a
 * bounded queue, with a budget per chat, and strangers told at most once per {@code
 * strangerPeriod}. Builds the {@link NoticeSender}.
 */
public class NoticesConfig {
  static final int DEFAULT_QUEUE_CAPACITY = 1_000;
  static final int DEFAULT_PER_CHAT_PER_MINUTE = 6;
  static final int DEFAULT_PER_CHAT_BURST = 3;
  static final Duration DEFAULT_STRANGER_PERIOD = Duration.hours(1);
  static final int DEFAULT_MAX_TRACKED_STRANGERS = 100_000;

  /**
   * A notice meets 429 at most this many times (each wait as long as Telegram's {@code
   * retry_after}, at most a minute) and a 5xx once, then it is given up (counted as failed).
   */
  static final TelegramRetryPolicy NOTICE_RETRIES =
      new TelegramRetryPolicy(
          2,
          java.time.Duration.ofSeconds(60),
          1,
          java.time.Duration.ofMillis(500),
          java.time.Duration.ofSeconds(2));

  /** Notices that may wait to be sent; beyond it they are dropped (counted). */
  @Min(1)
  @Max(1_000_000)
  private int queueCapacity = DEFAULT_QUEUE_CAPACITY;

  /** Notices one chat may get per minute, refilled continuously. */
  @Min(1)
  @Max(600)
  private int perChatPerMinute = DEFAULT_PER_CHAT_PER_MINUTE;

  /** Notices one chat may get at once. */
  @Min(1)
  @Max(100)
  private int perChatBurst = DEFAULT_PER_CHAT_BURST;

  /** Someone not served (invite-only, waitlist, one-person seat) hears so once per this period. */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  @MaxDuration(value = 7, unit = TimeUnit.DAYS)
  private Duration strangerPeriod = DEFAULT_STRANGER_PERIOD;

  /**
   * Strangers remembered for that rule; when this many were told within the period, further new
   * ones are not told (memory stays bounded under a flood).
   */
  @Min(1)
  @Max(10_000_000)
  private int maxTrackedStrangers = DEFAULT_MAX_TRACKED_STRANGERS;

  /** The sender, with its own Bot API client (same bot) whose retries fit notices. */
  public NoticeSender build(TelegramConfig telegram, MetricRegistry metrics, Clock clock) {
    TelegramBotApi client =
        new TelegramBotApi(
            TelegramBotApi.newHttpClient(),
            telegram.getApiUrl(),
            telegram.botToken(),
            NOTICE_RETRIES,
            d -> Thread.sleep(d.toMillis()),
            metrics);
    return new NoticeSender(
        client,
        queueCapacity,
        perChatPerMinute,
        perChatBurst,
        java.time.Duration.ofMillis(strangerPeriod.toMilliseconds()),
        maxTrackedStrangers,
        metrics,
        clock);
  }

  @JsonProperty
  public int getQueueCapacity() {
    return queueCapacity;
  }

  @JsonProperty
  public void setQueueCapacity(int value) {
    this.queueCapacity = value;
  }

  @JsonProperty
  public int getPerChatPerMinute() {
    return perChatPerMinute;
  }

  @JsonProperty
  public void setPerChatPerMinute(int value) {
    this.perChatPerMinute = value;
  }

  @JsonProperty
  public int getPerChatBurst() {
    return perChatBurst;
  }

  @JsonProperty
  public void setPerChatBurst(int value) {
    this.perChatBurst = value;
  }

  @JsonProperty
  public Duration getStrangerPeriod() {
    return strangerPeriod;
  }

  @JsonProperty
  public void setStrangerPeriod(Duration value) {
    this.strangerPeriod = value;
  }

  @JsonProperty
  public int getMaxTrackedStrangers() {
    return maxTrackedStrangers;
  }

  @JsonProperty
  public void setMaxTrackedStrangers(int value) {
    this.maxTrackedStrangers = value;
  }

  @Override
  public String toString() {
    return "notices{queue="
        + queueCapacity
        + ", perChat="
        + perChatPerMinute
        + "/min burst "
        + perChatBurst
        + ", strangers once per "
        + strangerPeriod
        + " (at most "
        + maxTrackedStrangers
        + " remembered)}";
  }
}
