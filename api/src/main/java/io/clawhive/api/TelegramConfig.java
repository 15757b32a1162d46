package io.clawhive.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.DataSizeUnit;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDataSize;
import io.dropwizard.validation.MaxDuration;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.concurrent.TimeUnit;

/** The Telegram Bot API connection. A blank bot token turns Telegram ingress off. */
public class TelegramConfig {
  static final String DEFAULT_API_URL = "https://api.telegram.org";

  public enum Mode {
    POLLING,
    WEBHOOK
  }

  @NotNull private String botToken = "";

  @NotNull
  @Pattern(regexp = "https?://\\S+", message = "must be an http(s) URL")
  private String apiUrl = DEFAULT_API_URL;

  @NotNull private Mode mode = Mode.POLLING;

  @NotNull private String webhookUrl = "";

  @NotNull private String webhookSecret = "";

  static final int DEFAULT_WEBHOOK_MAX_CONNECTIONS = 40;
  static final DataSize DEFAULT_WEBHOOK_MAX_BODY = DataSize.kibibytes(256);
  static final Duration DEFAULT_POLL_TIMEOUT = Duration.seconds(30);

  /** Telegram's {@code max_connections} for the webhook (1-100). */
  @Min(1)
  @Max(100)
  private int webhookMaxConnections = DEFAULT_WEBHOOK_MAX_CONNECTIONS;

  /** Webhook bodies above this are refused with 413 (updates are a few KiB). */
  @NotNull
  @MaxDataSize(value = 16, unit = DataSizeUnit.MEBIBYTES)
  private DataSize webhookMaxBody = DEFAULT_WEBHOOK_MAX_BODY;

  /** How long one {@code getUpdates} long poll waits for updates (Telegram allows up to 50 s). */
  @NotNull
  @MaxDuration(value = 50, unit = TimeUnit.SECONDS)
  private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;

  @JsonProperty
  public int getWebhookMaxConnections() {
    return webhookMaxConnections;
  }

  @JsonProperty
  public void setWebhookMaxConnections(int value) {
    this.webhookMaxConnections = value;
  }

  @JsonProperty
  public DataSize getWebhookMaxBody() {
    return webhookMaxBody;
  }

  @JsonProperty
  public void setWebhookMaxBody(DataSize value) {
    this.webhookMaxBody = value;
  }

  @JsonProperty
  public Duration getPollTimeout() {
    return pollTimeout;
  }

  @JsonProperty
  public void setPollTimeout(Duration value) {
    this.pollTimeout = value;
  }

  @JsonProperty
  public void setBotToken(String botToken) {
    this.botToken = botToken == null ? "" : botToken.trim();
  }

  public String botToken() {
    return botToken;
  }

  public boolean webhook() {
    return mode == Mode.WEBHOOK;
  }

  public boolean enabled() {
    return !botToken.isEmpty();
  }

  @JsonProperty
  public String getApiUrl() {
    return apiUrl;
  }

  @JsonProperty
  public void setApiUrl(String apiUrl) {
    this.apiUrl = apiUrl;
  }

  @JsonProperty
  public Mode getMode() {
    return mode;
  }

  @JsonProperty
  public void setMode(String mode) {
    try {
      this.mode = Mode.valueOf(mode.trim().toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("must be 'polling' or 'webhook', not '" + mode + "'", e);
    }
  }

  @JsonProperty
  public String getWebhookUrl() {
    return webhookUrl;
  }

  @JsonProperty
  public void setWebhookUrl(String webhookUrl) {
    this.webhookUrl = webhookUrl == null ? "" : webhookUrl.trim();
  }

  @JsonProperty
  public void setWebhookSecret(String webhookSecret) {
    this.webhookSecret = webhookSecret == null ? "" : webhookSecret;
  }

  public String webhookSecret() {
    return webhookSecret;
  }

  @AssertTrue(
      message =
          "webhook mode needs TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_URL (https) and TELEGRAM_WEBHOOK_SECRET")
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isWebhookComplete() {
    return mode != Mode.WEBHOOK
        || (enabled() && webhookUrl.startsWith("https://") && !webhookSecret.isEmpty());
  }

  @AssertTrue(
      message =
          "TELEGRAM_WEBHOOK_SECRET may only hold A-Z, a-z, 0-9, _ and - (1-256 characters), as Telegram requires")
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isWebhookSecretWellFormed() {
    return webhookSecret.isEmpty() || webhookSecret.matches("[A-Za-z0-9_-]{1,256}");
  }

  /** Never shows the bot token or the webhook secret. */
  @Override
  public String toString() {
    return "telegram{enabled="
        + enabled()
        + ", mode="
        + mode.name().toLowerCase(java.util.Locale.ROOT)
        + ", apiUrl="
        + apiUrl
        + ", webhookUrl="
        + (webhookUrl.isEmpty() ? "<none>" : webhookUrl)
        + ", webhookSecret="
        + (webhookSecret.isEmpty() ? "<none>" : "****")
        + ", pollTimeout="
        + pollTimeout
        + "}";
  }
}
