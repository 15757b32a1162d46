package io.clawhive.worker.sandbox;

import com.codahale.metrics.health.HealthCheck;
import java.util.List;

/**
 * Reads the installed isolation back (iptables chains and jumps, namespaces' rules, forwarding) and
 * reports what is missing. Repairs are {@link EgressRepair}'s job.
 */
final class EgressHealthCheck extends HealthCheck {

  private final Isolation isolation;

  EgressHealthCheck(Isolation isolation) {
    this.isolation = isolation;
  }

  @Override
  protected Result check() {
    if (isolation.egressPolicy().isEmpty()) {
      return Result.healthy(
          "isolation "
              + isolation.mode().configName()
              + (isolation.singleTenant() ? ", single tenant" : ", shared")
              + ": no egress policy");
    }
    List<String> problems = isolation.problems();
    if (!problems.isEmpty()) {
      return Result.unhealthy(String.join("; ", problems));
    }
    EgressPolicy policy = isolation.egressPolicy().get();
    return Result.healthy(
        "isolation "
            + isolation.mode().configName()
            + ": egress rules in place for "
            + policy.tenantCount()
            + " tenant(s) on "
            + String.join("+", policy.families())
            + (isolation.privateNetworks() ? ", one network namespace each" : ""));
  }
}
