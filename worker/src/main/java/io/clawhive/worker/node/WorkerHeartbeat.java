package io.clawhive.worker.node;

import com.codahale.metrics.health.HealthCheck;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.WorkerDao;
import io.clawhive.core.storage.WorkerLeaseDao;
import io.clawhive.core.storage.WorkerNode;
import io.clawhive.core.storage.WorkerStatus;
import io.clawhive.worker.fleet.HostMemory;
import io.dropwizard.lifecycle.Managed;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes this worker's heartbeat (capacity, live instances, host memory, free gateway ports) to
 * storage at a fixed interval, so that placement can see which workers are alive and how full they
 * are. Memory used is total minus {@code MemAvailable} where the host reports it (page cache counts
 * as available), else total minus free.
 *
 * <p>The heartbeat is a lease: the worker registers under a new epoch at start and writes only
 * while that epoch is still stored. When the cluster declared it dead meanwhile (its tenants moved
 * to other workers), the next beat finds itself fenced: it says so, and registers again under a new
 * epoch as a worker without those tenants (their instances are marked DELETED, so nothing of them
 * is started here again).
 */
public final class WorkerHeartbeat implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerHeartbeat.class);
  public static final Duration INTERVAL = Duration.ofSeconds(10);

  /** Missing this many beats in a row makes the worker unhealthy. */
  static final int MISSED_BEATS_UNHEALTHY = 3;

  private final Storage storage;
  private final String nodeId;
  private final int capacity;
  private final Clock clock;
  private final Duration interval;
  private final String host = hostName();
  private volatile long epoch;
  private volatile IntSupplier liveInstances = () -> 0;
  private volatile Runnable onFenced = () -> {};
  private volatile IntSupplier freePorts;
  private volatile Instant startedAt;
  private volatile Instant lastBeat;
  private ScheduledExecutorService executor;

  public WorkerHeartbeat(Storage storage, String nodeId, int capacity, Clock clock) {
    this(storage, nodeId, capacity, clock, INTERVAL);
  }

  public WorkerHeartbeat(
      Storage storage, String nodeId, int capacity, Clock clock, Duration interval) {
    this.interval = interval;
    this.storage = storage;
    this.nodeId = nodeId;
    this.capacity = capacity;
    this.clock = clock;
  }

  /** Where the count of live gateways comes from (the supervisor, once it runs). */
  public void liveInstancesFrom(IntSupplier supplier) {
    this.liveInstances = supplier;
  }

  /**
   * What to do after this worker found itself fenced and registered again (run off the heartbeat
   * thread, so that beats go on meanwhile).
   */
  public void onFenced(Runnable action) {
    this.onFenced = action;
  }

  /** On fencing, stop the gateways of the instances the cluster moved off this worker. */
  public void stopMovedInstancesOf(io.clawhive.worker.fleet.Fleet fleet) {
    onFenced(new MovedInstances(storage, fleet, nodeId, clock));
  }

  /** Where the count of gateway ports left comes from (the fleet). */
  public void freePortsFrom(IntSupplier supplier) {
    this.freePorts = supplier;
  }

  @Override
  public void start() {
    startedAt = clock.instant();
    register();
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "worker-heartbeat");
              thread.setDaemon(true);
              return thread;
            });
    executor.scheduleWithFixedDelay(
        this::beatSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    LOG.info(
        "worker {} up: capacity {} gateways, heartbeat every {}, epoch {}",
        nodeId,
        capacity,
        interval,
        epoch);
  }

  @Override
  public void stop() throws InterruptedException {
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
    try {
      beat(WorkerStatus.DOWN);
    } catch (RuntimeException e) {
      LOG.warn("could not record worker {} as down: {}", nodeId, e.getMessage());
    }
  }

  private void beatSafely() {
    try {
      beat(WorkerStatus.UP);
    } catch (Throwable t) {
      LOG.warn("heartbeat of worker {} failed, next try in {}: {}", nodeId, interval, t.toString());
    }
  }

  void beat(WorkerStatus status) {
    WorkerNode node = node(status);
    if (!storage.dao(WorkerLeaseDao.class).beatHeld(node, epoch)) {
      if (status == WorkerStatus.DOWN) {
        return; // fenced while stopping: the row is the cluster's now
      }
      long fencedEpoch = epoch;
      register();
      LOG.warn(
          "worker {} was declared dead while it ran (epoch {}): its tenants moved to other"
              + " workers and their instances here are marked DELETED; registered again as"
              + " epoch {}",
          nodeId,
          fencedEpoch,
          epoch);
      java.util.concurrent.CompletableFuture.runAsync(onFenced);
      return;
    }
    IntSupplier ports = freePorts;
    if (ports != null) {
      storage.dao(WorkerDao.class).updateFreePorts(nodeId, ports.getAsInt());
    }
    lastBeat = node.heartbeatAt();
  }

  private void register() {
    WorkerNode node = node(WorkerStatus.UP);
    epoch = storage.inTransaction(tx -> WorkerLeaseDao.register(tx, node));
    lastBeat = node.heartbeatAt();
  }

  /** The epoch this worker holds (changes when it was fenced and registered again). */
  public long epoch() {
    return epoch;
  }

  private WorkerNode node(WorkerStatus status) {
    Instant now = clock.instant();
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long total = os.getTotalMemorySize();
    long used = total - HostMemory.HOST.get().orElse(os.getFreeMemorySize());
    return new WorkerNode(
        nodeId, host, capacity, liveInstances.getAsInt(), used, total, startedAt, now, status);
  }

  public HealthCheck healthCheck() {
    return new HealthCheck() {
      @Override
      protected Result check() {
        Instant last = lastBeat;
        if (last == null) {
          return Result.unhealthy("no heartbeat written yet");
        }
        Duration age = Duration.between(last, clock.instant());
        Duration limit = interval.multipliedBy(MISSED_BEATS_UNHEALTHY);
        return age.compareTo(limit) <= 0
            ? Result.healthy("last heartbeat %d ms ago", age.toMillis())
            : Result.unhealthy(
                "last heartbeat %d s ago (limit %d s)", age.toSeconds(), limit.toSeconds());
      }
    };
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      return "unknown";
    }
  }
}
