package io.clawhive.worker.fleet;

import io.clawhive.core.storage.SkillInstall;
import io.clawhive.core.storage.SkillInstallDao;
import io.clawhive.core.storage.SkillInstallStatus;
import io.clawhive.core.storage.SkillOutcome;
import io.clawhive.core.storage.SkillRolloutDao;
import io.clawhive.core.storage.SkillRolloutReport;
import io.clawhive.core.storage.SkillVersion;
import io.clawhive.core.storage.SkillVersionDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.skills.LockedSkill;
import io.clawhive.worker.skills.SkillInstallResult;
import io.clawhive.worker.skills.SkillUpdate;
import io.clawhive.worker.skills.SkillUpdater;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Skill installs, updates and rollbacks of this worker's instances, and what they leave behind:
 * after every operation the instance's ClawHub lock is read as the tenant and each skill's version,
 * source hash and outcome go to {@code skill_versions}; an update that is part of a staged rollout
 * also fills in the instance's row of {@code skill_rollout_reports}, which the scheduler waits for.
 */
final class SkillOperations {

  private static final Logger LOG = LoggerFactory.getLogger(SkillOperations.class);

  private final SkillSource skills;
  private final Storage storage;
  private final Clock clock;

  SkillOperations(SkillSource skills, Storage storage, Clock clock) {
    this.skills = skills;
    this.storage = storage;
    this.clock = clock;
  }

  List<SkillInstallResult> install(Member member, List<String> slugs, CommandWrapper wrapper) {
    List<SkillInstallResult> results = skills.install(member.id, member.layout, slugs, wrapper);
    Map<String, LockedSkill> locked = skills.locked(member.layout, wrapper);
    Instant now = clock.instant();
    SkillInstallDao installs = storage.dao(SkillInstallDao.class);
    SkillVersionDao versions = storage.dao(SkillVersionDao.class);
    for (SkillInstallResult r : results) {
      installs.upsert(
          new SkillInstall(
              0,
              member.id,
              r.slug(),
              r.version().orElse(null),
              r.installed() ? SkillInstallStatus.INSTALLED : SkillInstallStatus.FAILED,
              r.detail(),
              now));
      SkillOutcome outcome =
          switch (r.status()) {
            case INSTALLED, ALREADY_INSTALLED -> SkillOutcome.INSTALLED;
            case REFUSED -> SkillOutcome.REFUSED;
            case FAILED -> SkillOutcome.FAILED;
          };
      LockedSkill lock = locked.get(r.slug());
      String version = lock == null ? null : lock.version();
      versions.upsert(row(member.id, r.slug(), lock, now, outcome, null, version, r.detail()));
    }
    return results;
  }

  /**
   * Updates (stage CANARY, REST or none) or rolls back (stage ROLLBACK: to the versions the
   * instance had before its CANARY stage of the same rollout), records and reports.
   */
  List<SkillUpdate> update(
      Member member, List<String> slugs, Long rolloutId, String stage, CommandWrapper wrapper) {
    Map<String, LockedSkill> before;
    List<SkillUpdate> outcomes;
    if ("ROLLBACK".equals(stage)) {
      Map<String, String> previous = previousVersions(rolloutId, member.id);
      before = skills.locked(member.layout, wrapper);
      outcomes = skills.restore(member.id, member.layout, previous, wrapper);
    } else {
      SkillUpdater.Run run = skills.update(member.id, member.layout, slugs, wrapper);
      before = run.before();
      outcomes = run.outcomes();
    }
    Map<String, LockedSkill> after = skills.locked(member.layout, wrapper);
    Instant now = clock.instant();
    SkillVersionDao versions = storage.dao(SkillVersionDao.class);
    for (SkillUpdate u : outcomes) {
      versions.upsert(
          row(
              member.id,
              u.slug(),
              after.get(u.slug()),
              now,
              u.outcome(),
              u.fromVersion(),
              u.toVersion(),
              u.detail()));
      LOG.info(
          "instance {}: skill {} {} ({} -> {}){}",
          member.id,
          u.slug(),
          u.outcome(),
          u.fromVersion(),
          u.toVersion(),
          u.detail().isEmpty() ? "" : ": " + u.detail());
    }
    if (rolloutId != null) {
      report(member.id, rolloutId, stage, before, outcomes, now);
    }
    return outcomes;
  }

  /** An instance this worker could not update still answers the rollout: one failure. */
  void reportUnavailable(String instanceId, Long rolloutId, String stage, String reason) {
    if (rolloutId == null) {
      return;
    }
    storage
        .dao(SkillRolloutDao.class)
        .report(
            new SkillRolloutReport(
                rolloutId,
                instanceId,
                SkillRolloutReport.Stage.valueOf(stage),
                "",
                null,
                0,
                0,
                0,
                1,
                null,
                reason,
                null,
                clock.instant()));
  }

  private void report(
      String instanceId,
      long rolloutId,
      String stage,
      Map<String, LockedSkill> before,
      List<SkillUpdate> outcomes,
      Instant now) {
    Map<SkillOutcome, Long> counts =
        outcomes.stream()
            .collect(Collectors.groupingBy(SkillUpdate::outcome, Collectors.counting()));
    int updated =
        count(counts, SkillOutcome.UPDATED, SkillOutcome.ROLLED_BACK, SkillOutcome.REMOVED);
    int upToDate = count(counts, SkillOutcome.UP_TO_DATE);
    int skipped = count(counts, SkillOutcome.SKIPPED_LOCAL_EDITS, SkillOutcome.REFUSED);
    int failed = count(counts, SkillOutcome.FAILED);
    String detail =
        outcomes.stream()
            .filter(u -> u.outcome() != SkillOutcome.UP_TO_DATE)
            .map(u -> u.slug() + " " + u.outcome() + describe(u))
            .collect(Collectors.joining("; "));
    String previous =
        before.values().stream()
            .map(l -> l.slug() + "=" + l.version())
            .collect(Collectors.joining("\n"));
    boolean stored =
        storage
            .dao(SkillRolloutDao.class)
            .report(
                new SkillRolloutReport(
                    rolloutId,
                    instanceId,
                    SkillRolloutReport.Stage.valueOf(stage),
                    "",
                    null,
                    updated,
                    upToDate,
                    skipped,
                    failed,
                    previous,
                    detail,
                    null,
                    now));
    if (!stored) {
      LOG.warn(
          "rollout {} has no {} row for instance {}: report dropped", rolloutId, stage, instanceId);
    }
  }

  private Map<String, String> previousVersions(Long rolloutId, String instanceId) {
    Map<String, String> versions = new LinkedHashMap<>();
    storage
        .dao(SkillRolloutDao.class)
        .findReport(rolloutId, instanceId, SkillRolloutReport.Stage.CANARY)
        .map(SkillRolloutReport::previousVersions)
        .filter(text -> text != null && !text.isBlank())
        .ifPresent(
            text -> {
              for (String line : text.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                  versions.put(line.substring(0, eq), line.substring(eq + 1));
                }
              }
            });
    return versions;
  }

  private static String describe(SkillUpdate u) {
    String move =
        u.outcome() == SkillOutcome.UPDATED || u.outcome() == SkillOutcome.ROLLED_BACK
            ? " " + u.fromVersion() + " -> " + u.toVersion()
            : "";
    return move + (u.detail().isEmpty() ? "" : " (" + u.detail() + ")");
  }

  private static int count(Map<SkillOutcome, Long> counts, SkillOutcome... outcomes) {
    long total = 0;
    for (SkillOutcome o : outcomes) {
      total += counts.getOrDefault(o, 0L);
    }
    return (int) total;
  }

  private static SkillVersion row(
      String instanceId,
      String slug,
      LockedSkill lock,
      Instant now,
      SkillOutcome outcome,
      String from,
      String to,
      String detail) {
    return new SkillVersion(
        instanceId,
        slug,
        lock == null ? null : lock.version(),
        lock == null ? null : lock.sourceHash().orElse(null),
        lock == null ? null : lock.installedAt().orElse(null),
        now,
        outcome,
        from,
        to,
        detail == null || detail.isEmpty() ? null : detail);
  }
}
