package io.clawhive.api.telegram;

import io.clawhive.core.ClawhiveException;
import io.clawhive.core.storage.HostSeat;
import io.clawhive.core.storage.HostSeatDao;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.WorkerDao;
import io.clawhive.core.storage.WorkerNode;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which worker gets a tenant's message: the worker that owns the tenant's instance; else the live
 * worker (heartbeat within {@link WorkerNode#ALIVE_WITHIN}, status UP) with the most free seats,
 * which then claims a warm-pool instance or creates one.
 *
 * <p>Free seats ({@link #freeSeats}): capacity minus live gateways (the larger of the heartbeat's
 * figure and the live rows in storage, which are never stale), and, where the worker reports its
 * memory, no more than its free memory holds at {@link #GATEWAY_MEMORY_PLAN} each. A worker without
 * a free gateway port ({@code workers.free_ports} 0; hibernated instances keep theirs) and no free
 * pool instance comes last. When no worker has a free seat the tenant still goes to the best one:
 * the worker's admission never exceeds its capacity — it hibernates an idle gateway to make room,
 * or puts the user in the waiting line (io.clawhive.worker.admission).
 *
 * <p>A single-tenant worker (it has a {@link HostSeat}) takes only the tenant that holds its seat:
 * placing a tenant there claims the seat in storage first (the first claimer keeps it), so no
 * capacity figure can put a second tenant on it. When every live worker's seat is held by someone
 * else (or reserved for someone else), {@link SeatTakenException}.
 */
public final class Placement {

  /** Placement's planning figure for one live gateway (openclaw ≈ 0.85–1.3 GB RSS, plus margin). */
  public static final long GATEWAY_MEMORY_PLAN = 1536L * 1024 * 1024;

  private final Storage storage;
  private final Clock clock;
  private final Optional<Long> seatReservedFor;

  public Placement(Storage storage, Clock clock) {
    this(storage, clock, Optional.empty());
  }

  /**
   * @param seatReservedFor the only tenant a single-tenant worker's seat may go to (the first
   *     allowed Telegram user), if any
   */
  public Placement(Storage storage, Clock clock, Optional<Long> seatReservedFor) {
    this.storage = storage;
    this.clock = clock;
    this.seatReservedFor = seatReservedFor;
  }

  /** No worker can take the message now; the caller retries later. */
  public static final class NoWorkerException extends ClawhiveException {
    NoWorkerException(long tenant) {
      super(
          "no live worker to place tenant "
              + tenant
              + " (no heartbeat within "
              + WorkerNode.ALIVE_WITHIN
              + ")");
    }
  }

  /** Every worker serves one person only and none of those seats is this tenant's. */
  public static final class SeatTakenException extends ClawhiveException {
    SeatTakenException(long tenant) {
      super("tenant " + tenant + " has no seat: every live worker serves one other person only");
    }
  }

  public String workerFor(long tenant) {
    Optional<Instance> owned = storage.dao(InstanceDao.class).findByTenant(tenant);
    HostSeatDao seats = storage.dao(HostSeatDao.class);
    Map<String, HostSeat> seated =
        seats.listAll().stream().collect(Collectors.toMap(HostSeat::nodeId, Function.identity()));
    if (owned.isPresent()) {
      String worker = owned.get().workerNode();
      if (seated.containsKey(worker) && !claim(seats, worker, tenant)) {
        throw new SeatTakenException(tenant);
      }
      return worker;
    }
    List<WorkerNode> alive = storage.dao(WorkerDao.class).listAlive(clock.instant());
    if (alive.isEmpty()) {
      throw new NoWorkerException(tenant);
    }
    Map<String, Room> room =
        alive.stream().collect(Collectors.toMap(WorkerNode::nodeId, this::roomOf));
    List<WorkerNode> candidates =
        alive.stream()
            .filter(w -> !seated.containsKey(w.nodeId()) || admits(seated.get(w.nodeId()), tenant))
            .sorted(
                Comparator.comparing((WorkerNode w) -> !holds(seated.get(w.nodeId()), tenant))
                    .thenComparing(w -> !room.get(w.nodeId()).hasPort())
                    .thenComparing(
                        Comparator.comparingInt((WorkerNode w) -> room.get(w.nodeId()).freeSeats())
                            .reversed())
                    // equal room (e.g. both capped by one host's memory): the emptier worker
                    .thenComparingInt((WorkerNode w) -> room.get(w.nodeId()).live())
                    .thenComparing(WorkerNode::nodeId, Comparator.reverseOrder()))
            .toList();
    for (WorkerNode worker : candidates) {
      if (!seated.containsKey(worker.nodeId()) || claim(seats, worker.nodeId(), tenant)) {
        return worker.nodeId();
      }
    }
    throw new SeatTakenException(tenant);
  }

  private boolean admits(HostSeat seat, long tenant) {
    if (seat.tenantId() == null && seatReservedFor.isPresent()) {
      return seatReservedFor.get() == tenant && seat.admits(tenant);
    }
    return seat.admits(tenant);
  }

  private static boolean holds(HostSeat seat, long tenant) {
    return seat != null && seat.tenantId() != null && seat.tenantId() == tenant;
  }

  /** Claims the seat of {@code worker} for {@code tenant}; whether the tenant holds it now. */
  private boolean claim(HostSeatDao seats, String worker, long tenant) {
    Optional<HostSeat> seat = seats.findById(worker);
    if (seat.isEmpty()) {
      return true; // the worker runs shared now
    }
    if (seat.get().tenantId() == null) {
      if (!admits(seat.get(), tenant)) {
        return false;
      }
      seatReservedFor.ifPresent(reserved -> seats.reserve(worker, reserved));
    }
    return seats
        .claim(worker, tenant, clock.instant())
        .map(s -> s.tenantId() != null && s.tenantId() == tenant)
        .orElse(true);
  }

  /** What a worker has left for a tenant without an instance. */
  private record Room(int freeSeats, boolean hasPort, int live) {}

  private Room roomOf(WorkerNode worker) {
    InstanceDao instances = storage.dao(InstanceDao.class);
    int live = Math.max(worker.liveInstances(), instances.countLiveByWorker(worker.nodeId()));
    boolean hasPort =
        storage.dao(WorkerDao.class).findFreePorts(worker.nodeId()).map(p -> p > 0).orElse(true)
            || instances.countFreePooled(worker.nodeId()) > 0;
    return new Room(freeSeats(worker, live), hasPort, live);
  }

  /**
   * Gateways the worker can still start: capacity minus {@code live}, and no more than its free
   * memory holds at {@link #GATEWAY_MEMORY_PLAN} each when it reports memory; never negative.
   */
  static int freeSeats(WorkerNode worker, int live) {
    long seats = worker.capacity() - live;
    if (worker.memoryTotalBytes() != null && worker.memoryUsedBytes() != null) {
      long freeMemory = worker.memoryTotalBytes() - worker.memoryUsedBytes();
      seats = Math.min(seats, freeMemory / GATEWAY_MEMORY_PLAN);
    }
    return (int) Math.max(0, seats);
  }
}
