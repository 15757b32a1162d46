package io.clawhive.core.broker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the deliveries each lane holds (running, waiting or retrying, not yet acked) and decides
 * whether the next one may join: at most {@code maxHeld} per lane for declinable tasks. Remembers
 * whether a lane is in a run of declines, so the user is told once per run.
 */
final class LaneAdmission {

  enum Verdict {
    ADMIT,
    DECLINE_FIRST,
    DECLINE_AGAIN
  }

  private static final class Lane {
    int held;
    boolean declining;
  }

  private final Map<String, Lane> lanes = new ConcurrentHashMap<>();
  private final int maxHeld;

  LaneAdmission(int maxHeld) {
    this.maxHeld = TaskBusChecks.positive(maxHeld, "maxHeld");
  }

  /** Admits (and counts) the task unless it is declinable and its lane is full. */
  Verdict admit(String key, boolean declinable) {
    Verdict[] verdict = new Verdict[1];
    lanes.compute(
        key,
        (k, lane) -> {
          Lane current = lane == null ? new Lane() : lane;
          if (declinable && current.held >= maxHeld) {
            verdict[0] = current.declining ? Verdict.DECLINE_AGAIN : Verdict.DECLINE_FIRST;
            current.declining = true;
          } else {
            verdict[0] = Verdict.ADMIT;
            current.held++;
            if (declinable) {
              current.declining = false; // a run of declines ends when the lane takes one again
            }
          }
          return current;
        });
    return verdict[0];
  }

  /** One admitted delivery of {@code key} is finished (acked, dead-lettered or abandoned). */
  void release(String key) {
    lanes.computeIfPresent(key, (k, lane) -> --lane.held <= 0 ? null : lane);
  }

  int held(String key) {
    Lane lane = lanes.get(key);
    return lane == null ? 0 : lane.held;
  }
}
