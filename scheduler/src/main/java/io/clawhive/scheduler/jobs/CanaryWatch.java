package io.clawhive.scheduler.jobs;

import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.HealthResult;
import io.clawhive.core.storage.HealthResultDao;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.SkillRolloutDao;
import io.clawhive.core.storage.SkillRolloutReport;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.task.CheckHealth;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a rollout's canaries held: every canary reported without failures, and every
 * canary that was RUNNING stayed RUNNING and answered live and ready on each probe for the watch
 * time (its worker is asked to probe every poll interval; results land in {@code health_results}).
 * A chat turn is deliberately not part of it: through a real gateway it costs a paid model call and
 * creates a session. Hibernated canaries are updated on their files and not woken to be watched.
 */
final class CanaryWatch {

  private static final Logger LOG = LoggerFactory.getLogger(CanaryWatch.class);
  private static final int RESULTS_PER_POLL = 50;

  private final Storage storage;
  private final TaskPublisher publisher;
  private final SkillRollouts.Settings settings;
  private final Clock clock;

  CanaryWatch(
      Storage storage, TaskPublisher publisher, SkillRollouts.Settings settings, Clock clock) {
    this.storage = storage;
    this.publisher = publisher;
    this.settings = settings;
    this.clock = clock;
  }

  /** Empty when the canaries held, else why not. */
  Optional<String> watch(long rolloutId, List<Instance> canaries) throws InterruptedException {
    Optional<String> reported = reports(rolloutId, canaries);
    if (reported.isPresent()) {
      return reported;
    }
    InstanceDao instances = storage.dao(InstanceDao.class);
    List<Instance> watched = new ArrayList<>();
    for (Instance canary : canaries) {
      instances
          .findById(canary.id())
          .filter(i -> i.actualState() == InstanceState.RUNNING)
          .ifPresent(watched::add);
    }
    if (watched.isEmpty()) {
      return Optional.empty();
    }
    Instant since = clock.instant();
    Instant deadline = since.plus(settings.canaryWatch());
    do {
      askWorkers(watched);
      Thread.sleep(settings.pollInterval().toMillis());
      Optional<String> trouble = trouble(watched, since, false);
      if (trouble.isPresent()) {
        LOG.warn("rollout {}: {}", rolloutId, trouble.get());
        return trouble;
      }
    } while (clock.instant().isBefore(deadline));
    return trouble(watched, since, true);
  }

  private Optional<String> reports(long rolloutId, List<Instance> canaries) {
    SkillRolloutDao dao = storage.dao(SkillRolloutDao.class);
    for (Instance canary : canaries) {
      Optional<SkillRolloutReport> report =
          dao.findReport(rolloutId, canary.id(), SkillRolloutReport.Stage.CANARY);
      if (report.isEmpty() || report.get().status() != SkillRolloutReport.Status.DONE) {
        return Optional.of(
            "canary "
                + canary.id()
                + " did not report: "
                + report.map(SkillRolloutReport::detail).orElse("no row"));
      }
      if (report.get().failed() > 0) {
        return Optional.of(
            "canary " + canary.id() + " failed its update: " + report.get().detail());
      }
    }
    return Optional.empty();
  }

  private void askWorkers(List<Instance> watched) {
    Set<String> workers = new TreeSet<>();
    watched.forEach(i -> workers.add(i.workerNode()));
    for (String worker : workers) {
      try {
        publisher.publish(worker, CheckHealth.of(worker, clock.instant()));
      } catch (RuntimeException e) {
        LOG.warn("canary probe request to worker {} not published: {}", worker, e.toString());
      }
    }
  }

  private Optional<String> trouble(List<Instance> watched, Instant since, boolean needResult) {
    InstanceDao instances = storage.dao(InstanceDao.class);
    HealthResultDao health = storage.dao(HealthResultDao.class);
    for (Instance canary : watched) {
      InstanceState state =
          instances.findById(canary.id()).map(Instance::actualState).orElse(InstanceState.DELETED);
      if (state != InstanceState.RUNNING) {
        return Optional.of("canary " + canary.id() + " is " + state + " after the update");
      }
      List<HealthResult> results =
          health.listRecent(canary.id(), RESULTS_PER_POLL).stream()
              .filter(r -> !r.checkedAt().isBefore(since))
              .toList();
      for (HealthResult r : results) {
        if (!r.live() || !r.ready()) {
          return Optional.of(
              "canary " + canary.id() + " not ready after the update (" + r.detail() + ")");
        }
      }
      if (needResult && results.isEmpty()) {
        return Optional.of("canary " + canary.id() + " gave no health result while watched");
      }
    }
    return Optional.empty();
  }
}
