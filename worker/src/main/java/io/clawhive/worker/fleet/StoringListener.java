package io.clawhive.worker.fleet;

import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.supervision.InstanceStateListener;
import io.clawhive.worker.supervision.ProbeResult;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persists what supervisors observe to {@code instances}: actual state, pid, restarts, failure
 * reasons, last healthy (at most every {@link FleetSettings#HEALTHY_WRITE_INTERVAL}). A storage
 * failure is logged and does not disturb supervision; the next change writes again.
 */
final class StoringListener implements InstanceStateListener {

  private static final Logger LOG = LoggerFactory.getLogger(StoringListener.class);

  private final Storage storage;
  private final Clock clock;
  private final Function<String, Member> members;
  private final Consumer<Member> onMemoryRestart;
  private final FleetMetrics metrics;
  private final Map<String, Instant> lastHealthyWrite = new ConcurrentHashMap<>();

  StoringListener(
      Storage storage,
      Clock clock,
      Function<String, Member> members,
      Consumer<Member> onMemoryRestart,
      FleetMetrics metrics) {
    this.metrics = metrics;
    this.storage = storage;
    this.clock = clock;
    this.members = members;
    this.onMemoryRestart = onMemoryRestart;
  }

  @Override
  public void onStateChange(String id, InstanceState from, InstanceState to, String reason) {
    Member member = members.apply(id);
    Instant now = clock.instant();
    metrics.stateChanged(
        id, from, to, member != null && member.requestedRestart ? "requested" : reason);
    try {
      InstanceDao instances = storage.dao(InstanceDao.class);
      FleetDao fleet = storage.dao(FleetDao.class);
      switch (to) {
        case FAILED -> fleet.markFailed(id, reason, now);
        case RESTARTING -> {
          instances.recordRestart(id, now);
          if (member == null || !member.requestedRestart) {
            instances.recordFailure(id, reason, now);
          }
          fleet.setActualState(id, to, now);
        }
        case RUNNING -> {
          fleet.setActualState(id, to, now);
          instances.recordHealthy(id, now);
          lastHealthyWrite.put(id, now);
        }
        case HIBERNATED, DELETED -> {
          fleet.setActualState(id, to, now);
          instances.recordExit(id, now);
        }
        default -> fleet.setActualState(id, to, now);
      }
    } catch (RuntimeException e) {
      LOG.warn("instance {}: could not store state {} ({}): {}", id, to, reason, e.toString());
    } finally {
      if (member != null) {
        member.changed(to);
      }
    }
  }

  @Override
  public void onProcessStarted(String id, long pid, Instant startedAt) {
    try {
      storage.dao(InstanceDao.class).recordStarted(id, pid, startedAt);
    } catch (RuntimeException e) {
      LOG.warn("instance {}: could not store pid {}: {}", id, pid, e.toString());
    }
  }

  @Override
  public void onProbe(String id, ProbeResult result) {
    if (!result.ok()) {
      return;
    }
    Instant now = clock.instant();
    Instant last = lastHealthyWrite.get(id);
    if (last != null && last.plus(FleetSettings.HEALTHY_WRITE_INTERVAL).isAfter(now)) {
      return;
    }
    lastHealthyWrite.put(id, now);
    try {
      storage.dao(InstanceDao.class).recordHealthy(id, now);
    } catch (RuntimeException e) {
      LOG.warn("instance {}: could not store healthy mark: {}", id, e.toString());
    }
  }

  @Override
  public void onMemoryRestart(String id, long usedBytes, long limitBytes) {
    Member member = members.apply(id);
    if (member != null) {
      onMemoryRestart.accept(member);
    }
  }

  void forget(String id) {
    lastHealthyWrite.remove(id);
  }
}
