package io.clawhive.core.storage;

import java.time.Instant;

/**
 * One row of {@code tenants}: a Telegram user. {@code id} is the Telegram user id; {@code
 * sessionKey} is the stable per-user key sent to the gateway and is left out of {@link
 * #toString()}.
 */
public record Tenant(
    long id,
    Long chatId,
    String username,
    String sessionKey,
    TenantStatus status,
    Instant createdAt,
    Instant updatedAt) {

  @Override
  public String toString() {
    return "Tenant[id="
        + id
        + ", chatId="
        + chatId
        + ", username="
        + username
        + ", status="
        + status
        + ", createdAt="
        + createdAt
        + ", updatedAt="
        + updatedAt
        + "]";
  }
}
