package io.clawhive.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.storage.InstanceState;
import org.junit.jupiter.api.Test;

class FleetMetricsTest {
  private final MetricRegistry registry = new MetricRegistry();
  private final FleetMetrics metrics = new FleetMetrics(registry);

  @Test
  void reasonsAsTheSupervisorWritesThemFallIntoAFewNames() {
    assertThat(
            FleetMetrics.reasonOf("gateway exited with code 78: configuration error (not retried)"))
        .isEqualTo("config_error");
    assertThat(FleetMetrics.reasonOf("gateway exited with code 137 (killed at its memory limit)"))
        .isEqualTo("memory");
    assertThat(FleetMetrics.reasonOf("memory 900 bytes over 0.9 of limit 1000"))
        .isEqualTo("memory");
    assertThat(FleetMetrics.reasonOf("gateway exited with code 1")).isEqualTo("exit");
    assertThat(FleetMetrics.reasonOf("liveness failed 3x: connection refused"))
        .isEqualTo("liveness");
    assertThat(FleetMetrics.reasonOf("not ready within PT2M")).isEqualTo("startup_timeout");
    assertThat(FleetMetrics.reasonOf("launch failed: no such file")).isEqualTo("launch");
    assertThat(FleetMetrics.reasonOf("start limit hit: more than 5 starts within PT10M"))
        .isEqualTo("start_limit");
    assertThat(FleetMetrics.reasonOf("restart asked through the admin API")).isEqualTo("requested");
    assertThat(FleetMetrics.reasonOf(null)).isEqualTo("other");
    assertThat(FleetMetrics.reasonOf("tenant 42 did something")).isEqualTo("other");
  }

  @Test
  void startsAreTimedByWhatCameBeforeAndRestartsAndFailuresCountedByReason() {
    metrics.stateChanged("a", InstanceState.PROVISIONING, InstanceState.STARTING, "start");
    metrics.stateChanged("a", InstanceState.STARTING, InstanceState.RUNNING, "ready");
    metrics.stateChanged("b", InstanceState.HIBERNATED, InstanceState.STARTING, "wake");
    metrics.stateChanged("b", InstanceState.STARTING, InstanceState.RUNNING, "ready");
    metrics.stateChanged(
        "a", InstanceState.RUNNING, InstanceState.RESTARTING, "gateway exited with code 1");
    metrics.stateChanged("a", InstanceState.RESTARTING, InstanceState.STARTING, "restart");
    metrics.stateChanged("a", InstanceState.STARTING, InstanceState.FAILED, "start limit hit");
    metrics.stateChanged("b", InstanceState.UNHEALTHY, InstanceState.RUNNING, "live again");

    assertThat(registry.timer("instances.start.cold").getCount()).isEqualTo(1);
    assertThat(registry.timer("instances.start.wake").getCount()).isEqualTo(1);
    assertThat(registry.timer("instances.start.restart").getCount()).isZero();
    assertThat(registry.meter("instances.restarts.exit").getCount()).isEqualTo(1);
    assertThat(registry.meter("instances.failures.start_limit").getCount()).isEqualTo(1);
    assertThat(registry.getNames()).noneMatch(n -> n.contains(".a") || n.contains(".b."));
  }
}
