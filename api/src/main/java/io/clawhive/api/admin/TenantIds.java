package io.clawhive.api.admin;

import jakarta.ws.rs.BadRequestException;

/**
 * Tenant ids in admin paths. Taken as text and parsed here, because JAX-RS answers a path parameter
 * that does not convert with 404, and a malformed id is the caller's mistake (400), not a missing
 * tenant.
 */
final class TenantIds {
  private TenantIds() {}

  static long parse(String text) {
    long id;
    try {
      id = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new BadRequestException(
          "tenant must be a positive Telegram user id, not '" + text + "'");
    }
    if (id <= 0) {
      throw new BadRequestException("tenant must be a positive Telegram user id, not " + id);
    }
    return id;
  }
}
