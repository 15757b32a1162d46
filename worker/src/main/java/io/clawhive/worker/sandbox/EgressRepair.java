package io.clawhive.worker.sandbox;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link Isolation#repair()} every {@code isolation.repairInterval}: a jump, chain or
 * namespace lost (by hand, by another firewall tool, by a flush) is put back within one interval
 * and counted in {@value #REPAIRS}; a failed pass in {@value #FAILURES}.
 */
public final class EgressRepair implements AutoCloseable {

  public static final String REPAIRS = "worker.egress.repairs";
  public static final String FAILURES = "worker.egress.repair.failures";
  private static final Logger LOG = LoggerFactory.getLogger(EgressRepair.class);

  private final Isolation isolation;
  private final Counter repairs;
  private final Counter failures;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "egress-repair");
            t.setDaemon(true);
            return t;
          });

  public EgressRepair(Isolation isolation, MetricRegistry metrics) {
    this.isolation = isolation;
    this.repairs = metrics.counter(REPAIRS);
    this.failures = metrics.counter(FAILURES);
  }

  /** Starts the periodic pass (a no-op in mode none). */
  public void start() {
    if (isolation.egressPolicy().isEmpty()) {
      return;
    }
    long millis = isolation.repairInterval().toMillis();
    timer.scheduleWithFixedDelay(this::runOnce, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** One pass; returns how many things were repaired. */
  public int runOnce() {
    try {
      int repaired = isolation.repair();
      repairs.inc(repaired);
      return repaired;
    } catch (Throwable e) {
      failures.inc();
      LOG.error("egress repair pass failed, next pass in {}: {}", isolation.repairInterval(), e);
      return 0;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
