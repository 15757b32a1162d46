package io.clawhive.core.broker;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import java.util.Objects;

/** Task bus meters, named {@code tasks.<event>.<task type>}; never tagged by tenant. */
final class TaskMetrics {

  static final String PUBLISHED = "tasks.published";
  static final String DELIVERED = "tasks.delivered";
  static final String ACKED = "tasks.acked";
  static final String RETRIED = "tasks.retried";
  static final String DEAD_LETTERED = "tasks.dead_lettered";
  static final String UNDECODABLE = "tasks.undecodable";
  static final String REPLAYED = "tasks.replayed";
  static final String DECLINED = "tasks.declined";

  /** Admitted deliveries waiting behind their tenant's running task (all tenants together). */
  static final String QUEUED = "tasks.queued";

  private final MetricRegistry registry;

  TaskMetrics(MetricRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "metrics");
  }

  void mark(String event, String taskType) {
    registry.meter(MetricRegistry.name(event, taskType)).mark();
  }

  /** (Re)registers the queued gauge: the newest consumer of a registry reports. */
  void queuedGauge(Gauge<Integer> gauge) {
    registry.remove(QUEUED);
    registry.register(QUEUED, gauge);
  }

  Meter undecodable() {
    return registry.meter(UNDECODABLE);
  }
}
