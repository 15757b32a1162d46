package io.clawhive.worker.sandbox;

import com.codahale.metrics.health.HealthCheck;
import java.util.List;
import java.util.Optional;

/** Reads the installed iptables rules back and reports any tenant whose rules are missing. */
final class EgressHealthCheck extends HealthCheck {

  private final IsolationMode mode;
  private final boolean singleTenant;
  private final Optional<EgressPolicy> policy;

  EgressHealthCheck(IsolationMode mode, boolean singleTenant, Optional<EgressPolicy> policy) {
    this.mode = mode;
    this.singleTenant = singleTenant;
    this.policy = policy;
  }

  @Override
  protected Result check() {
    if (policy.isEmpty()) {
      return Result.healthy(
          "isolation "
              + mode.configName()
              + (singleTenant ? ", single tenant" : ", shared")
              + ": no egress policy");
    }
    List<String> problems = policy.get().problems();
    if (!problems.isEmpty()) {
      return Result.unhealthy(String.join("; ", problems));
    }
    return Result.healthy(
        "isolation "
            + mode.configName()
            + ": egress rules in place for "
            + policy.get().tenantCount()
            + " tenant(s) on "
            + String.join("+", policy.get().families()));
  }
}
