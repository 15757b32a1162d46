package io.clawhive.scheduler.jobs;

import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.SkillRollout;
import io.clawhive.core.storage.SkillRolloutDao;
import io.clawhive.core.storage.SkillRolloutReport;
import io.clawhive.core.storage.SkillRolloutReport.Stage;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.WorkerDao;
import io.clawhive.core.storage.WorkerNode;
import io.clawhive.core.task.UpdateSkills;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One staged skill rollout across the fleet. Instances whose worker is not alive are recorded as
 * not reached and never sent anything. A canary share of the rest gets {@code UpdateSkills} first;
 * each stage waits (bounded) for the workers' reports in {@code skill_rollout_reports}. The
 * canaries must then stay live and ready ({@link CanaryWatch}); if one does not, the rollout stops:
 * the rest are left untouched and the canaries are rolled back to the versions they reported
 * before. Otherwise the rest follow. A failed publish or a missing report affects that instance
 * only.
 */
public final class SkillRollouts {

  private static final Logger LOG = LoggerFactory.getLogger(SkillRollouts.class);
  static final Set<InstanceState> SKIPPED = Set.of(InstanceState.FAILED, InstanceState.DELETED);

  /** Canary share, how long canaries are watched, report bound, poll interval. */
  public record Settings(
      double canaryShare, Duration canaryWatch, Duration reportTimeout, Duration pollInterval) {
    public Settings {
      if (canaryShare < 0 || canaryShare > 1) {
        throw new IllegalArgumentException("canaryShare must be within 0..1");
      }
    }
  }

  /** What a rollout did, summed over the instances. */
  public record Counts(int updated, int upToDate, int skipped, int failed, int notReached) {
    @Override
    public String toString() {
      return "updated "
          + updated
          + ", up to date "
          + upToDate
          + ", skipped "
          + skipped
          + ", failed "
          + failed
          + ", not reached "
          + notReached;
    }
  }

  private final Storage storage;
  private final TaskPublisher publisher;
  private final Settings settings;
  private final String nodeId;
  private final Clock clock;

  public SkillRollouts(
      Storage storage, TaskPublisher publisher, Settings settings, String nodeId, Clock clock) {
    this.storage = storage;
    this.publisher = publisher;
    this.settings = settings;
    this.nodeId = nodeId;
    this.clock = clock;
  }

  /** Runs one rollout to its end; returns its summary (the job run's detail). */
  public String run() throws InterruptedException {
    SkillRolloutDao rollouts = storage.dao(SkillRolloutDao.class);
    long id = rollouts.start(nodeId, clock.instant());
    Set<String> alive =
        storage.dao(WorkerDao.class).listAlive(clock.instant()).stream()
            .map(WorkerNode::nodeId)
            .collect(Collectors.toSet());
    List<Instance> reachable = new ArrayList<>();
    for (Instance instance : storage.dao(InstanceDao.class).listAll()) {
      if (SKIPPED.contains(instance.actualState())) {
        continue;
      }
      if (alive.contains(instance.workerNode())) {
        reachable.add(instance);
      } else {
        insert(
            id,
            instance,
            Stage.REST,
            SkillRolloutReport.Status.NOT_REACHED,
            "worker " + instance.workerNode() + " is not alive");
      }
    }
    List<Instance> canaries = canaries(reachable);
    List<Instance> rest = reachable.stream().filter(i -> !canaries.contains(i)).toList();
    LOG.info(
        "skill rollout {}: {} canaries, {} to follow, {} on dead workers",
        id,
        canaries.size(),
        rest.size(),
        storage.dao(SkillRolloutDao.class).listReports(id).size());

    runStage(id, Stage.CANARY, canaries);
    Optional<String> trouble =
        new CanaryWatch(storage, publisher, settings, clock).watch(id, canaries);
    if (trouble.isPresent()) {
      List<Instance> changed = changedCanaries(id, canaries);
      runStage(id, Stage.ROLLBACK, changed);
      String summary =
          "rollout "
              + id
              + " STOPPED: "
              + trouble.get()
              + "; "
              + changed.size()
              + " canary(ies) rolled back, "
              + rest.size()
              + " instance(s) left untouched; "
              + counts(id);
      rollouts.finish(id, SkillRollout.Status.STOPPED, summary, clock.instant());
      throw new RolloutStoppedException(summary);
    }
    runStage(id, Stage.REST, rest);
    String summary =
        "rollout " + id + " COMPLETED (" + canaries.size() + " canaries first): " + counts(id);
    rollouts.finish(id, SkillRollout.Status.COMPLETED, summary, clock.instant());
    return summary;
  }

  /**
   * The canary share of {@code reachable}, at least one when the share is above zero: running
   * instances first (their readiness can be watched), then by id for a stable choice.
   */
  List<Instance> canaries(List<Instance> reachable) {
    if (settings.canaryShare() == 0 || reachable.isEmpty()) {
      return List.of();
    }
    int count = (int) Math.max(1, Math.ceil(settings.canaryShare() * reachable.size()));
    return reachable.stream()
        .sorted(
            Comparator.comparing((Instance i) -> i.actualState() != InstanceState.RUNNING)
                .thenComparing(Instance::id))
        .limit(count)
        .toList();
  }

  /** Sends one stage and waits (bounded) until every instance of it has reported. */
  private void runStage(long id, Stage stage, List<Instance> instances)
      throws InterruptedException {
    if (instances.isEmpty()) {
      return;
    }
    for (Instance instance : instances) {
      insert(id, instance, stage, SkillRolloutReport.Status.SENT, null);
      try {
        publisher.publish(
            instance.workerNode(),
            UpdateSkills.inRollout(
                instance.tenantId(), instance.id(), id, stage.name(), clock.instant()));
      } catch (RuntimeException e) {
        LOG.warn(
            "rollout {}: {} task for instance {} not published, counted as not reached: {}",
            id,
            stage,
            instance.id(),
            e.toString());
        markOne(id, instance.id(), stage, "not published: " + e.getMessage());
      }
    }
    SkillRolloutDao dao = storage.dao(SkillRolloutDao.class);
    Instant deadline = clock.instant().plus(settings.reportTimeout());
    while (pending(id, stage) > 0 && clock.instant().isBefore(deadline)) {
      Thread.sleep(settings.pollInterval().toMillis());
    }
    int late = dao.markUnanswered(id, stage, "no report within " + settings.reportTimeout());
    if (late > 0) {
      LOG.warn("rollout {}: {} instance(s) did not report {} in time", id, late, stage);
    }
  }

  private long pending(long id, Stage stage) {
    return storage.dao(SkillRolloutDao.class).listReports(id).stream()
        .filter(r -> r.stage() == stage && r.status() == SkillRolloutReport.Status.SENT)
        .count();
  }

  /** Canaries whose update changed at least one skill: those are rolled back. */
  private List<Instance> changedCanaries(long id, List<Instance> canaries) {
    SkillRolloutDao dao = storage.dao(SkillRolloutDao.class);
    return canaries.stream()
        .filter(
            c ->
                dao.findReport(id, c.id(), Stage.CANARY)
                    .filter(r -> r.status() == SkillRolloutReport.Status.DONE)
                    .filter(r -> r.updated() > 0 || r.failed() > 0)
                    .isPresent())
        .toList();
  }

  /** Sums CANARY and REST reports (a rollback is not counted as work of the rollout). */
  Counts counts(long id) {
    int updated = 0;
    int upToDate = 0;
    int skipped = 0;
    int failed = 0;
    int notReached = 0;
    for (SkillRolloutReport r : storage.dao(SkillRolloutDao.class).listReports(id)) {
      if (r.stage() == Stage.ROLLBACK) {
        continue;
      }
      if (r.status() == SkillRolloutReport.Status.NOT_REACHED) {
        notReached++;
      } else {
        updated += r.updated();
        upToDate += r.upToDate();
        skipped += r.skipped();
        failed += r.failed();
      }
    }
    return new Counts(updated, upToDate, skipped, failed, notReached);
  }

  private void insert(
      long id, Instance instance, Stage stage, SkillRolloutReport.Status status, String detail) {
    storage
        .dao(SkillRolloutDao.class)
        .insertReport(
            new SkillRolloutReport(
                id,
                instance.id(),
                stage,
                instance.workerNode(),
                status,
                0,
                0,
                0,
                0,
                null,
                detail,
                clock.instant(),
                null));
  }

  private void markOne(long id, String instanceId, Stage stage, String detail) {
    storage.dao(SkillRolloutDao.class).markNotReached(id, instanceId, stage, detail);
  }

  /** A stopped rollout: the job run is recorded as FAILED with this summary. */
  static final class RolloutStoppedException extends RuntimeException {
    RolloutStoppedException(String summary) {
      super(summary);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
