package io.clawhive.worker.fleet;

import io.clawhive.core.storage.InstanceState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission on this worker: at most {@code capacity} live gateways (pool instances included), and a
 * new one only while the host has {@code memoryPerGateway} available where it reports memory. Every
 * decision that starts a gateway (claim, provision, wake) is taken holding this object's monitor,
 * so two tenants never both take the last seat.
 *
 * <p>A tenant's gateway is in use while a message of theirs is handled ({@link #admit} … {@link
 * #release}) or, after the waiting line admitted them, until {@link #RESERVED_FOR} has passed
 * ({@link #reserve}). A RUNNING gateway in neither case is idle. To make room the idlest is
 * stopped: first an idle pool instance (deleted: it holds nobody's files), then the tenant gateway
 * used least recently (hibernated: files kept, the next message wakes it). When nothing is idle
 * there is no seat: {@link #admit} says so and {@link #seat} throws {@link NoSeatException}.
 */
final class Seating {

  private static final Logger LOG = LoggerFactory.getLogger(Seating.class);

  /** No limit (the fleet's default until the worker sets its capacity). */
  static final int UNLIMITED = Integer.MAX_VALUE;

  /** How long a tenant admitted from the waiting line keeps a seat before their message arrives. */
  static final Duration RESERVED_FOR = Duration.ofMinutes(2);

  private final Members members;
  private final Claims claims;
  private final Lifecycle lifecycle;
  private final Consumer<Member> deletePooled;
  private final FleetMetrics metrics;
  private final Clock clock;
  private int capacity = UNLIMITED;
  private long memoryPerGateway;
  private Supplier<OptionalLong> memory = HostMemory.HOST;
  private BooleanSupplier othersWaiting = () -> false;
  private volatile Runnable seatMayBeFree = () -> {};

  Seating(
      Members members,
      Claims claims,
      Lifecycle lifecycle,
      Consumer<Member> deletePooled,
      FleetMetrics metrics,
      Clock clock) {
    this.members = members;
    this.claims = claims;
    this.lifecycle = lifecycle;
    this.deletePooled = deletePooled;
    this.metrics = metrics;
    this.clock = clock;
  }

  synchronized void limit(int capacity, long memoryPerGateway, Supplier<OptionalLong> memory) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    if (memoryPerGateway < 0) {
      throw new IllegalArgumentException("memoryPerGateway must be >= 0");
    }
    this.capacity = capacity;
    this.memoryPerGateway = memoryPerGateway;
    this.memory = memory;
  }

  synchronized int capacity() {
    return capacity;
  }

  /** Whether users wait for a seat here (the pool then does not grow). */
  synchronized void othersWaitingFrom(BooleanSupplier supplier) {
    this.othersWaiting = supplier;
  }

  /** Called (on the releasing thread) whenever a gateway may have become free to take over. */
  void onSeatMayBeFree(Runnable callback) {
    this.seatMayBeFree = callback;
  }

  /**
   * The tenant's gateway, live, with one lease on it; a seat is taken (making room if need be) only
   * when {@code mayTakeNewSeat}. Empty when the tenant would need a seat and gets none.
   */
  synchronized Optional<Member> admit(long tenantId, String newInstanceId, boolean mayTakeNewSeat) {
    Optional<Member> member = bringUp(tenantId, newInstanceId, mayTakeNewSeat);
    member.ifPresent(
        m -> {
          m.leases++;
          m.lastUsed = clock.instant();
        });
    return member;
  }

  /** The tenant's message is handled: one lease less; the gateway may be idle now. */
  void release(long tenantId) {
    synchronized (this) {
      members
          .ofTenant(tenantId)
          .ifPresent(
              m -> {
                m.leases = Math.max(0, m.leases - 1);
                m.reservedUntil = null;
                m.lastUsed = clock.instant();
              });
    }
    seatMayBeFree.run();
  }

  /**
   * Seats the tenant for the waiting line: their gateway live (room made if need be) and kept for
   * {@link #RESERVED_FOR}; false when there is no room.
   */
  synchronized boolean reserve(long tenantId, String newInstanceId) {
    Optional<Member> member = bringUp(tenantId, newInstanceId, true);
    member.ifPresent(m -> m.reservedUntil = clock.instant().plus(RESERVED_FOR));
    return member.isPresent();
  }

  /**
   * The tenant's gateway, live (room made if need be), or FAILED as it is; {@link NoSeatException}
   * when full.
   */
  synchronized Member seat(long tenantId, String newInstanceId) {
    return bringUp(tenantId, newInstanceId, true)
        .orElseThrow(() -> new NoSeatException(tenantId, fullReason()));
  }

  /**
   * Runs {@code start} for a stopped member (an operator's wake or restart) once it has a seat,
   * making room if need be; {@link InstanceUnavailableException} when there is none.
   */
  synchronized void start(Member member, Runnable start) {
    if (!holdsSeat(member) && !makeRoom()) {
      throw new InstanceUnavailableException(
          member.id, member.tenantId(), "cannot start: " + fullReason());
    }
    start.run();
  }

  /** Runs {@code grow} (one more pool instance) only if a seat is free and nobody waits for one. */
  synchronized boolean growPool(Runnable grow) {
    if (!hasFreeSeat() || othersWaiting.getAsBoolean()) {
      return false;
    }
    grow.run();
    return true;
  }

  private Optional<Member> bringUp(long tenantId, String newInstanceId, boolean mayTakeNewSeat) {
    Optional<Member> own = members.ofTenant(tenantId);
    if (own.isPresent() && own.get().state() == InstanceState.FAILED) {
      return own; // takes no seat; callers report it
    }
    if (own.isPresent() && holdsSeat(own.get())) {
      lifecycle.ensureStarted(own.get()); // counted live already; launched if not supervised yet
      return own;
    }
    boolean needsSeat = own.isPresent() || !hasRunningSpare();
    if (needsSeat && !(mayTakeNewSeat && makeRoom())) {
      return Optional.empty();
    }
    Member member = claims.ensureInstance(tenantId, newInstanceId);
    if (member.state() != InstanceState.FAILED) {
      lifecycle.ensureStarted(member);
    }
    return Optional.of(member);
  }

  private static boolean holdsSeat(Member member) {
    return member.live() && !member.evicting;
  }

  private boolean hasRunningSpare() {
    return members.all().stream().anyMatch(m -> m.pooled() && m.state() == InstanceState.RUNNING);
  }

  private boolean hasFreeSeat() {
    if (members.liveCount() >= capacity) {
      return false;
    }
    if (memoryPerGateway == 0) {
      return true;
    }
    OptionalLong available = memory.get();
    return available.isEmpty() || available.getAsLong() >= memoryPerGateway;
  }

  private String fullReason() {
    return members.liveCount()
        + " of "
        + capacity
        + " gateways live and in use"
        + (memoryPerGateway == 0 ? "" : " (or less than " + memoryPerGateway + " bytes available)");
  }

  /** Stops idle gateways until a seat is free; false when none is idle. */
  private boolean makeRoom() {
    while (!hasFreeSeat()) {
      Optional<Member> idlest = idlest();
      if (idlest.isEmpty()) {
        return false;
      }
      evict(idlest.get());
    }
    return true;
  }

  /** Idle pool instances first, then the tenant gateway used least recently. */
  private Optional<Member> idlest() {
    Instant now = clock.instant();
    return members.all().stream()
        .filter(m -> m.state() == InstanceState.RUNNING && !m.evicting && m.leases == 0)
        .filter(m -> m.reservedUntil == null || !m.reservedUntil.isAfter(now))
        .min(
            Comparator.comparing((Member m) -> !m.pooled())
                .thenComparing(m -> m.lastUsed)
                .thenComparing(m -> m.id));
  }

  private void evict(Member member) {
    member.evicting = true;
    try {
      if (member.pooled()) {
        LOG.info("deleting idle pool {} to make room", member);
        deletePooled.accept(member);
      } else {
        LOG.info("hibernating idle {} (last used {}) to make room", member, member.lastUsed);
        lifecycle.hibernate(member, "idle: its seat went to a waiting user");
      }
      metrics.evicted();
    } finally {
      member.evicting = false;
    }
  }
}
