package io.clawhive.core.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The seat of each single-tenant worker ({@code host_seats}). A worker opens its row at start when
 * it runs in single-tenant mode and closes it when it runs shared; api placement and the worker
 * both {@link #claim} before a tenant gets a gateway there, so the first claimer keeps the seat
 * across restarts and no second tenant is ever placed.
 */
public interface HostSeatDao {

  String COLUMNS = "node_id, tenant_id, reserved_for, opened_at, claimed_at";

  /** One tenant only is served by a single-tenant worker: the reply to everyone else. */
  String ONE_PERSON_REPLY =
      "Sorry, this bot serves one person only, and that seat is taken. Ask whoever runs it to"
          + " open it to more people.";

  @SqlQuery("SELECT " + COLUMNS + " FROM host_seats WHERE node_id = :nodeId")
  Optional<HostSeat> findById(String nodeId);

  @SqlQuery("SELECT " + COLUMNS + " FROM host_seats ORDER BY node_id")
  List<HostSeat> listAll();

  /**
   * Opens the seat of {@code nodeId} if it has none; an existing seat keeps its holder. A set
   * {@code reservedFor} is recorded (the seat may only ever go to that tenant).
   */
  default HostSeat open(String nodeId, Long reservedFor, Instant now) {
    if (findById(nodeId).isEmpty()) {
      try {
        insert(nodeId, reservedFor, now);
      } catch (ConstraintViolationStorageException raced) {
        // opened concurrently: the first row stays
      }
    }
    if (reservedFor != null) {
      reserve(nodeId, reservedFor);
    }
    return findById(nodeId).orElseThrow();
  }

  /**
   * Claims the seat of {@code nodeId} for {@code tenant} if nobody holds it (and it is not reserved
   * for someone else); returns the seat as it is now, or empty when the worker has no seat (it runs
   * shared). The caller compares {@link HostSeat#tenantId()} with {@code tenant}.
   */
  default Optional<HostSeat> claim(String nodeId, long tenant, Instant now) {
    Optional<HostSeat> seat = findById(nodeId);
    if (seat.isEmpty() || seat.get().tenantId() != null || !seat.get().admits(tenant)) {
      return seat;
    }
    claimIfFree(nodeId, tenant, now);
    return findById(nodeId);
  }

  @SqlUpdate(
      "UPDATE host_seats SET tenant_id = :tenant, claimed_at = :now"
          + " WHERE node_id = :nodeId AND tenant_id IS NULL"
          + " AND (reserved_for IS NULL OR reserved_for = :tenant)")
  boolean claimIfFree(String nodeId, long tenant, Instant now);

  @SqlUpdate(
      "INSERT INTO host_seats (node_id, reserved_for, opened_at)"
          + " VALUES (:nodeId, :reservedFor, :now)")
  void insert(String nodeId, Long reservedFor, Instant now);

  /** Records the reservation while the seat is free (a held seat keeps its holder). */
  @SqlUpdate(
      "UPDATE host_seats SET reserved_for = :reservedFor WHERE node_id = :nodeId"
          + " AND tenant_id IS NULL")
  boolean reserve(String nodeId, long reservedFor);

  /** The worker runs shared now: its seat (and holder) is dropped. */
  @SqlUpdate("DELETE FROM host_seats WHERE node_id = :nodeId")
  boolean close(String nodeId);
}
