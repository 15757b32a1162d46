package io.clawhive.core.broker;

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

  private final MetricRegistry registry;

  TaskMetrics(MetricRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "metrics");
  }

  void mark(String event, String taskType) {
    registry.meter(MetricRegistry.name(event, taskType)).mark();
  }

  Meter undecodable() {
    return registry.meter(UNDECODABLE);
  }
}
