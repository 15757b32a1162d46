package io.clawhive.worker.fleet;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.storage.InstanceState;
import java.util.Collection;
import java.util.Locale;

/**
 * {@code instances.<state>} gauges (instances of this worker per actual state), {@code
 * instances.provisioned} and {@code instances.claimed} counters. Never tagged by tenant.
 */
public final class FleetMetrics {

  public static final String PREFIX = "instances.";

  private final MetricRegistry registry;
  private final Counter provisioned;
  private final Counter claimed;

  public FleetMetrics(MetricRegistry registry) {
    this.registry = registry;
    this.provisioned = registry.counter(PREFIX + "provisioned");
    this.claimed = registry.counter(PREFIX + "claimed");
  }

  public static String stateGauge(InstanceState state) {
    return PREFIX + state.name().toLowerCase(Locale.ROOT);
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
}
