package io.clawhive.worker.node;

import com.codahale.metrics.health.HealthCheck;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.WorkerDao;
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
  private final String host = hostName();
  private volatile IntSupplier liveInstances = () -> 0;
  private volatile IntSupplier freePorts;
  private volatile Instant startedAt;
  private volatile Instant lastBeat;
  private ScheduledExecutorService executor;

  public WorkerHeartbeat(Storage storage, String nodeId, int capacity, Clock clock) {
    this.storage = storage;
    this.nodeId = nodeId;
    this.capacity = capacity;
    this.clock = clock;
  }

  /** Where the count of live gateways comes from (the supervisor, once it runs). */
  public void liveInstancesFrom(IntSupplier supplier) {
    this.liveInstances = supplier;
  }

  /** Where the count of gateway ports left comes from (the fleet). */
  public void freePortsFrom(IntSupplier supplier) {
    this.freePorts = supplier;
  }

  @Override
  public void start() {
    startedAt = clock.instant();
    beat(WorkerStatus.UP);
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "worker-heartbeat");
              thread.setDaemon(true);
              return thread;
            });
    executor.scheduleWithFixedDelay(
        this::beatSafely, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    LOG.info("worker {} up: capacity {} gateways, heartbeat every {}", nodeId, capacity, INTERVAL);
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
      LOG.warn("heartbeat of worker {} failed, next try in {}: {}", nodeId, INTERVAL, t.toString());
    }
  }

  void beat(WorkerStatus status) {
    Instant now = clock.instant();
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long total = os.getTotalMemorySize();
    long used = total - HostMemory.HOST.get().orElse(os.getFreeMemorySize());
    storage
        .dao(WorkerDao.class)
        .upsertHeartbeat(
            new WorkerNode(
                nodeId,
                host,
                capacity,
                liveInstances.getAsInt(),
                used,
                total,
                startedAt,
                now,
                status));
    IntSupplier ports = freePorts;
    if (ports != null) {
      storage.dao(WorkerDao.class).updateFreePorts(nodeId, ports.getAsInt());
    }
    lastBeat = now;
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
        Duration limit = INTERVAL.multipliedBy(MISSED_BEATS_UNHEALTHY);
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
