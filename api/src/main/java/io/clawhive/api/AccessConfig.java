package io.clawhive.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may get an agent: an optional allowlist of Telegram user ids and/or invite codes ({@code
 * /start CODE}), a cap on active tenants (beyond it new users are waitlisted) and a per-user token
 * bucket for messages.
 */
public class AccessConfig {
  static final int DEFAULT_MAX_INSTANCES = 0;
  static final int DEFAULT_RATE_LIMIT_PER_MINUTE = 20;
  static final int DEFAULT_RATE_LIMIT_BURST = 5;

  /** Comma-separated Telegram user ids; blank = no allowlist. */
  @NotNull private String allowedUserIds = "";

  /** Comma-separated invite codes; blank = none. */
  @NotNull private String inviteCodes = "";

  /** Cap on active tenants (each has an agent); 0 = no cap. */
  @Min(0)
  @Max(1_000_000)
  private int maxInstances = DEFAULT_MAX_INSTANCES;

  /** Messages per minute per user, refilled continuously. */
  @Min(1)
  @Max(10_000)
  private int rateLimitPerMinute = DEFAULT_RATE_LIMIT_PER_MINUTE;

  /** Messages a user may send at once before the per-minute rate applies. */
  @Min(1)
  @Max(10_000)
  private int rateLimitBurst = DEFAULT_RATE_LIMIT_BURST;

  @JsonProperty
  public void setAllowedUserIds(String value) {
    this.allowedUserIds = value == null ? "" : value.trim();
  }

  @JsonProperty
  public void setInviteCodes(String value) {
    this.inviteCodes = value == null ? "" : value.trim();
  }

  @JsonProperty
  public int getMaxInstances() {
    return maxInstances;
  }

  @JsonProperty
  public void setMaxInstances(int maxInstances) {
    this.maxInstances = maxInstances;
  }

  @JsonProperty
  public int getRateLimitPerMinute() {
    return rateLimitPerMinute;
  }

  @JsonProperty
  public void setRateLimitPerMinute(int value) {
    this.rateLimitPerMinute = value;
  }

  @JsonProperty
  public int getRateLimitBurst() {
    return rateLimitBurst;
  }

  @JsonProperty
  public void setRateLimitBurst(int value) {
    this.rateLimitBurst = value;
  }

  public Set<Long> allowedUsers() {
    return split(allowedUserIds).stream().map(Long::parseLong).collect(Collectors.toSet());
  }

  /**
   * The first listed allowed user: on a single-tenant worker only this user may get the seat. Empty
   * without an allowlist.
   */
  public java.util.Optional<Long> firstAllowedUser() {
    return Arrays.stream(allowedUserIds.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .findFirst()
        .map(Long::parseLong);
  }

  public Set<String> invites() {
    return split(inviteCodes);
  }

  @AssertTrue(message = "allowedUserIds must be comma-separated numeric Telegram user ids")
  @JsonIgnore
  public boolean isAllowedUserIdsNumeric() {
    return split(allowedUserIds).stream().allMatch(id -> id.matches("-?\\d{1,19}"));
  }

  private static Set<String> split(String list) {
    return Arrays.stream(list.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toSet());
  }

  /** Never shows the invite codes. */
  @Override
  public String toString() {
    return "access{allowlist="
        + allowedUsers().size()
        + " user(s), inviteCodes="
        + invites().size()
        + ", maxInstances="
        + (maxInstances == 0 ? "unlimited" : maxInstances)
        + ", rateLimit="
        + rateLimitPerMinute
        + "/min burst "
        + rateLimitBurst
        + "}";
  }
}
