package io.clawhive.worker.fleet;

import io.clawhive.core.storage.HealthResult;
import io.clawhive.core.storage.HealthResultDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.supervision.HealthProbe;
import io.clawhive.worker.supervision.ProbeResult;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One CheckHealth: {@code /healthz} and {@code /readyz} of every given gateway, all at once (never
 * a chat call), one {@code health_results} row per gateway.
 */
final class HealthChecks {

  private final HealthProbe probe;
  private final Storage storage;
  private final Clock clock;
  private final Duration timeout;

  private final java.util.function.Function<String, String> hostOf;

  /**
   * @param hostOf the address of an instance's gateway ({@code Isolation.gatewayHost})
   */
  HealthChecks(
      HealthProbe probe,
      Storage storage,
      Clock clock,
      Duration timeout,
      java.util.function.Function<String, String> hostOf) {
    this.probe = probe;
    this.hostOf = hostOf;
    this.storage = storage;
    this.clock = clock;
    this.timeout = timeout;
  }

  List<HealthResult> probeAll(List<Member> members) {
    List<CompletableFuture<HealthResult>> pending = new ArrayList<>();
    for (Member member : members) {
      CompletableFuture<ProbeResult> live =
          probe.probe(hostOf.apply(member.id), member.port, HealthProbe.LIVENESS_PATH, timeout);
      CompletableFuture<ProbeResult> ready =
          probe.probe(hostOf.apply(member.id), member.port, HealthProbe.READINESS_PATH, timeout);
      pending.add(live.thenCombine(ready, (l, r) -> result(member, l, r)));
    }
    HealthResultDao dao = storage.dao(HealthResultDao.class);
    List<HealthResult> stored = new ArrayList<>();
    for (CompletableFuture<HealthResult> future : pending) {
      HealthResult result = future.join();
      long id = dao.insert(result);
      stored.add(
          new HealthResult(
              id,
              result.instanceId(),
              result.checkedAt(),
              result.live(),
              result.ready(),
              result.latencyMs(),
              result.detail()));
    }
    return stored;
  }

  private HealthResult result(Member member, ProbeResult live, ProbeResult ready) {
    return new HealthResult(
        0,
        member.id,
        clock.instant(),
        live.ok(),
        ready.ok(),
        Math.max(live.latencyMillis(), ready.latencyMillis()),
        "healthz: " + live.detail() + "; readyz: " + ready.detail() + "; state " + member.state());
  }
}
