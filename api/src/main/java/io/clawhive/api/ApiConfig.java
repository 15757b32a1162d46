package io.clawhive.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/** Settings of the api role: the admin API and the Telegram front door. */
public class ApiConfig {

  /**
   * Bearer token for {@code /api/v1/*} (admin port); blank means the admin API refuses every
   * request.
   */
  @NotNull private String adminToken = "";

  static final int DEFAULT_ADMIN_AUTH_FAILURES_PER_MINUTE = 10;

  /**
   * Failed admin authentications one remote address may make per minute; beyond them its further
   * attempts get 429 (Retry-After) without the token being checked.
   */
  @Min(1)
  @Max(100_000)
  private int adminAuthFailuresPerMinute = DEFAULT_ADMIN_AUTH_FAILURES_PER_MINUTE;

  @Valid @NotNull private TelegramConfig telegram = new TelegramConfig();

  @Valid @NotNull private AccessConfig access = new AccessConfig();

  @Valid @NotNull private NoticesConfig notices = new NoticesConfig();

  static final Duration DEFAULT_HTTP_REPLY_TIMEOUT = Duration.minutes(2);

  /** How long {@code POST /api/v1/instances/{tenant}/messages} waits for the agent (then 504). */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  @MaxDuration(value = 10, unit = TimeUnit.MINUTES)
  private Duration httpReplyTimeout = DEFAULT_HTTP_REPLY_TIMEOUT;

  @JsonProperty
  public AccessConfig getAccess() {
    return access;
  }

  @JsonProperty
  public void setAccess(AccessConfig access) {
    this.access = access;
  }

  @JsonProperty
  public NoticesConfig getNotices() {
    return notices;
  }

  @JsonProperty
  public void setNotices(NoticesConfig notices) {
    this.notices = notices;
  }

  @JsonProperty
  public Duration getHttpReplyTimeout() {
    return httpReplyTimeout;
  }

  @JsonProperty
  public void setHttpReplyTimeout(Duration value) {
    this.httpReplyTimeout = value;
  }

  @JsonProperty
  public void setAdminToken(String adminToken) {
    this.adminToken = adminToken == null ? "" : adminToken;
  }

  public String adminToken() {
    return adminToken;
  }

  @JsonProperty
  public int getAdminAuthFailuresPerMinute() {
    return adminAuthFailuresPerMinute;
  }

  @JsonProperty
  public void setAdminAuthFailuresPerMinute(int value) {
    this.adminAuthFailuresPerMinute = value;
  }

  @JsonProperty
  public TelegramConfig getTelegram() {
    return telegram;
  }

  @JsonProperty
  public void setTelegram(TelegramConfig telegram) {
    this.telegram = telegram;
  }

  /** Never shows the token. */
  @Override
  public String toString() {
    return "api{adminToken="
        + (adminToken.isEmpty() ? "<none: admin API refuses all>" : "****")
        + ", adminAuthFailuresPerMinute="
        + adminAuthFailuresPerMinute
        + ", "
        + telegram
        + ", "
        + access
        + ", httpReplyTimeout="
        + httpReplyTimeout
        + "}";
  }
}
