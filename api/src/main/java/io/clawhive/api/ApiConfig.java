package io.clawhive.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/** Settings of the api role: the admin API and the Telegram front door. */
public class ApiConfig {

  /** Bearer token for {@code /api/v1/*}; blank means the admin API refuses every request. */
  @NotNull private String adminToken = "";

  @Valid @NotNull private TelegramConfig telegram = new TelegramConfig();

  @JsonProperty
  public void setAdminToken(String adminToken) {
    this.adminToken = adminToken == null ? "" : adminToken;
  }

  public String adminToken() {
    return adminToken;
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
        + ", "
        + telegram
        + "}";
  }
}
