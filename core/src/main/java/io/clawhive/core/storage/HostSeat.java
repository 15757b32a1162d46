package io.clawhive.core.storage;

import java.time.Instant;

/**
 * One row of {@code host_seats}: the one seat of a worker in single-tenant mode. {@code tenantId}
 * is empty until the first tenant claims it; {@code reservedFor}, when set, is the only tenant that
 * may ever claim it.
 */
public record HostSeat(
    String nodeId, Long tenantId, Long reservedFor, Instant openedAt, Instant claimedAt) {

  /** Whether {@code tenant} holds the seat, or may still claim it. */
  public boolean admits(long tenant) {
    if (tenantId != null) {
      return tenantId == tenant;
    }
    return reservedFor == null || reservedFor == tenant;
  }
}
