package io.clawhive.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

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

  @JsonProperty
  public void setBotToken(String botToken) {
    this.botToken = botToken == null ? "" : botToken.trim();
  }

  public String botToken() {
    return botToken;
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
        + "}";
  }
}
