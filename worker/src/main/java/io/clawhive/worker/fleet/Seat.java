package io.clawhive.worker.fleet;

import io.clawhive.core.storage.HostSeat;
import io.clawhive.core.storage.HostSeatDao;
import io.clawhive.core.storage.Storage;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one seat of a single-tenant worker, kept in {@code host_seats} so that it survives restarts
 * and the api's placement sees the same holder: {@link #open} at start (a shared worker closes its
 * row instead), {@link #require} before a tenant gets an instance (the first claimer keeps the
 * seat; everyone else gets {@link SeatTakenException}). A shared worker's seat admits everyone.
 */
final class Seat {

  private static final Logger LOG = LoggerFactory.getLogger(Seat.class);

  private final boolean single;
  private final String nodeId;
  private final Storage storage;
  private final Clock clock;

  Seat(boolean single, String nodeId, Storage storage, Clock clock) {
    this.single = single;
    this.nodeId = nodeId;
    this.storage = storage;
    this.clock = clock;
  }

  boolean single() {
    return single;
  }

  /** Opens this worker's seat (single) or drops it (shared); logs who holds it. */
  void open() {
    HostSeatDao seats = storage.dao(HostSeatDao.class);
    if (!single) {
      if (seats.close(nodeId)) {
        LOG.info("worker {} runs shared now: its single-tenant seat is dropped", nodeId);
      }
      return;
    }
    HostSeat seat = seats.open(nodeId, null, clock.instant());
    LOG.info(
        "worker {} is single-tenant: {}",
        nodeId,
        seat.tenantId() == null
            ? "the seat goes to the first user who writes"
                + (seat.reservedFor() == null ? "" : " (reserved for " + seat.reservedFor() + ")")
            : "the seat belongs to tenant " + seat.tenantId());
  }

  /** Claims the seat for {@code tenant} unless it holds it already; throws when it is taken. */
  void require(long tenant) {
    if (!single) {
      return;
    }
    HostSeatDao seats = storage.dao(HostSeatDao.class);
    Optional<HostSeat> seat = seats.claim(nodeId, tenant, clock.instant());
    if (seat.isEmpty()) {
      // the row went missing (removed by hand): open it again, the first claimer still wins
      seats.open(nodeId, null, clock.instant());
      seat = seats.claim(nodeId, tenant, clock.instant());
    }
    Long holder = seat.map(HostSeat::tenantId).orElse(null);
    if (holder == null || holder != tenant) {
      throw new SeatTakenException(tenant, nodeId);
    }
  }

  /** Whether the seat of this (single) worker belongs to someone already. */
  boolean taken() {
    return single
        && storage
            .dao(HostSeatDao.class)
            .findById(nodeId)
            .map(s -> s.tenantId() != null)
            .orElse(false);
  }
}
