package io.clawhive.worker.fleet;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.clawhive.core.storage.InstanceState;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What a worker's fleet reports, never tagged by tenant: {@code instances.<state>} gauges
 * (instances of this worker per actual state); {@code instances.provisioned} (every new instance),
 * {@code instances.claimed} (pool hits) and {@code instances.cold_created} (a tenant had to wait
 * for a new one) and {@code instances.quota_hits} (a tenant's disk reached its quota) counters;
 * {@code instances.claim} (taking a pool instance) and {@code instances.start.cold|wake|restart}
 * (STARTING → RUNNING, by what came before) timers; {@code instances.restarts.<reason>} and {@code
 * instances.failures.<reason>} meters with a small fixed set of reasons ({@link #reasonOf}); {@code
 * instances.evictions} (idle gateways stopped to make room for another user at capacity).
 */
public final class FleetMetrics {

  public static final String PREFIX = "instances.";
  public static final String CLAIM = PREFIX + "claim";
  public static final String COLD_CREATED = PREFIX + "cold_created";
  public static final String START = PREFIX + "start.";
  public static final String RESTARTS = PREFIX + "restarts.";
  public static final String FAILURES = PREFIX + "failures.";
  public static final String EVICTIONS = PREFIX + "evictions";
  public static final String QUOTA_HITS = PREFIX + "quota_hits";

  private final MetricRegistry registry;
  private final Counter provisioned;
  private final Counter claimed;
  private final Counter coldCreated;
  private final Counter quotaHits;
  private final Timer claim;
  private final Meter evictions;
  private final Map<String, Starting> starting = new ConcurrentHashMap<>();

  /** An instance that went STARTING: from where, and when (monotonic nanos). */
  private record Starting(InstanceState from, long nanos) {}

  public FleetMetrics(MetricRegistry registry) {
    this.registry = registry;
    this.provisioned = registry.counter(PREFIX + "provisioned");
    this.claimed = registry.counter(PREFIX + "claimed");
    this.coldCreated = registry.counter(COLD_CREATED);
    this.quotaHits = registry.counter(QUOTA_HITS);
    this.claim = registry.timer(CLAIM);
    this.evictions = registry.meter(EVICTIONS);
  }

  void evicted() {
    evictions.mark();
  }

  public static String stateGauge(InstanceState state) {
    return PREFIX + state.name().toLowerCase(Locale.ROOT);
  }

  /**
   * A bounded name for a restart or failure reason (the reasons themselves are free text): exit,
   * memory, liveness, startup_timeout, launch, config_error, start_limit, requested or other.
   */
  static String reasonOf(String reason) {
    String r = reason == null ? "" : reason.toLowerCase(Locale.ROOT);
    if (r.contains("code 78") || r.contains("config")) {
      return "config_error";
    } else if (r.contains("memory")) {
      return "memory";
    } else if (r.contains("start limit") || r.contains("starts within")) {
      return "start_limit";
    } else if (r.contains("exited")) {
      return "exit";
    } else if (r.contains("liveness")) {
      return "liveness";
    } else if (r.contains("not ready within")) {
      return "startup_timeout";
    } else if (r.contains("launch")) {
      return "launch";
    } else if (r.contains("asked") || r.contains("requested")) {
      return "requested";
    }
    return "other";
  }

  void watch(Collection<Member> members) {
    for (InstanceState state : InstanceState.values()) {
      String name = stateGauge(state);
      registry.remove(name);
      registry.register(
          name, (Gauge<Long>) () -> members.stream().filter(m -> m.state() == state).count());
    }
  }

  void provisioned() {
    provisioned.inc();
  }

  void claimed() {
    claimed.inc();
  }

  void coldCreated() {
    coldCreated.inc();
  }

  /** A tenant's disk reached its quota (once per time it fills up). */
  void quotaHit() {
    quotaHits.inc();
  }

  Timer.Context timeClaim() {
    return claim.time();
  }

  /** Times starts, counts restarts and failures by reason. */
  void stateChanged(String id, InstanceState from, InstanceState to, String reason) {
    switch (to) {
      case STARTING -> starting.put(id, new Starting(from, System.nanoTime()));
      case RUNNING -> {
        Starting s = starting.remove(id);
        if (s != null && from == InstanceState.STARTING) {
          registry
              .timer(START + startKind(s.from()))
              .update(System.nanoTime() - s.nanos(), TimeUnit.NANOSECONDS);
        }
      }
      case RESTARTING -> registry.meter(RESTARTS + reasonOf(reason)).mark();
      case FAILED -> {
        starting.remove(id);
        registry.meter(FAILURES + reasonOf(reason)).mark();
      }
      case HIBERNATED, DELETED -> starting.remove(id);
      default -> {}
    }
  }

  private static String startKind(InstanceState from) {
    if (from == InstanceState.HIBERNATED) {
      return "wake";
    }
    return from == InstanceState.RESTARTING ? "restart" : "cold";
  }
}
