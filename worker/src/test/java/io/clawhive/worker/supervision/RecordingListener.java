package io.clawhive.worker.supervision;

import io.clawhive.core.storage.InstanceState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records what a supervisor reports, with monotonic timestamps, for assertions. */
final class RecordingListener implements InstanceStateListener {

  record Change(InstanceState from, InstanceState to, String reason, long nanos) {}

  record MemoryRestart(long usedBytes, long limitBytes) {}

  final List<Change> changes = new CopyOnWriteArrayList<>();
  final List<Long> startedPids = new CopyOnWriteArrayList<>();
  final List<MemoryRestart> memoryRestarts = new CopyOnWriteArrayList<>();
  final List<ProbeResult> probes = new CopyOnWriteArrayList<>();

  @Override
  public void onStateChange(
      String instanceId, InstanceState from, InstanceState to, String reason) {
    changes.add(new Change(from, to, reason, System.nanoTime()));
  }

  @Override
  public void onProcessStarted(String instanceId, long pid, java.time.Instant startedAt) {
    startedPids.add(pid);
  }

  @Override
  public void onProbe(String instanceId, ProbeResult result) {
    probes.add(result);
  }

  @Override
  public void onMemoryRestart(String instanceId, long usedBytes, long limitBytes) {
    memoryRestarts.add(new MemoryRestart(usedBytes, limitBytes));
  }

  List<InstanceState> states() {
    return changes.stream().map(Change::to).toList();
  }

  long count(InstanceState state) {
    return changes.stream().filter(c -> c.to() == state).count();
  }

  /** Last change into {@code state}. */
  Change last(InstanceState state) {
    Change found = null;
    for (Change c : changes) {
      if (c.to() == state) {
        found = c;
      }
    }
    return found;
  }
}
