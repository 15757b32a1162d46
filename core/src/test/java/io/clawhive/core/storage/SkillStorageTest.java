package io.clawhive.core.storage;

import static io.clawhive.core.storage.Rows.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.clawhive.core.storage.SkillRolloutReport.Stage;
import io.clawhive.core.testing.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Tag("infra")
class SkillStorageTest {

  private static final String ALL = "io.clawhive.core.testing.TestDatabases#all";

  @ParameterizedTest
  @MethodSource(ALL)
  void skillVersionsKeepTheLastOutcomePerInstanceAndSlug(TestDatabase db) {
    Storage storage = db.storage();
    storage.dao(InstanceDao.class).insert(Rows.instance("i-1", null, "w1", 18000));
    storage.dao(InstanceDao.class).insert(Rows.instance("i-2", null, "w1", 18020));
    SkillVersionDao versions = storage.dao(SkillVersionDao.class);
    versions.upsert(version("i-1", "weather", "1.0.0", SkillOutcome.INSTALLED, null, null));
    versions.upsert(version("i-2", "weather", "1.0.0", SkillOutcome.INSTALLED, null, null));
    versions.upsert(version("i-1", "weather", "1.1.0", SkillOutcome.UPDATED, "1.0.0", "1.1.0"));

    assertThat(versions.find("i-1", "weather").orElseThrow())
        .extracting(
            SkillVersion::version,
            SkillVersion::lastOutcome,
            SkillVersion::fromVersion,
            SkillVersion::toVersion)
        .containsExactly("1.1.0", SkillOutcome.UPDATED, "1.0.0", "1.1.0");
    assertThat(versions.fleetCounts())
        .containsExactly(
            new SkillVersionDao.FleetCount("weather", "1.0.0", SkillOutcome.INSTALLED, 1),
            new SkillVersionDao.FleetCount("weather", "1.1.0", SkillOutcome.UPDATED, 1));
    assertThat(versions.delete("i-2", "weather")).isTrue();
    storage.dao(InstanceDao.class).delete("i-1");
    assertThat(versions.listByInstance("i-1")).as("gone with the instance").isEmpty();
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void rolloutReportsAreFilledByWorkersAndUnansweredOnesMarked(TestDatabase db) {
    SkillRolloutDao rollouts = db.storage().dao(SkillRolloutDao.class);
    long id = rollouts.start("sched-1", T0);
    rollouts.insertReport(sent(id, "i-1"));
    rollouts.insertReport(sent(id, "i-2"));

    assertThat(
            rollouts.report(
                new SkillRolloutReport(
                    id,
                    "i-1",
                    Stage.CANARY,
                    "w1",
                    null,
                    1,
                    2,
                    0,
                    0,
                    "weather=1.0.0",
                    "ok",
                    T0,
                    T0.plusSeconds(3))))
        .isTrue();
    assertThat(rollouts.markUnanswered(id, Stage.CANARY, "no answer")).isEqualTo(1);
    rollouts.finish(id, SkillRollout.Status.COMPLETED, "done", T0.plusSeconds(9));

    assertThat(rollouts.listReports(id))
        .extracting(SkillRolloutReport::instanceId, SkillRolloutReport::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("i-1", SkillRolloutReport.Status.DONE),
            org.assertj.core.groups.Tuple.tuple("i-2", SkillRolloutReport.Status.NOT_REACHED));
    assertThat(rollouts.findReport(id, "i-1", Stage.CANARY).orElseThrow().previousVersions())
        .isEqualTo("weather=1.0.0");
    assertThat(rollouts.findLatest().orElseThrow())
        .extracting(SkillRollout::status, SkillRollout::finishedAt)
        .containsExactly(SkillRollout.Status.COMPLETED, T0.plusSeconds(9));
  }

  private static SkillRolloutReport sent(long rollout, String instance) {
    return new SkillRolloutReport(
        rollout,
        instance,
        Stage.CANARY,
        "w1",
        SkillRolloutReport.Status.SENT,
        0,
        0,
        0,
        0,
        null,
        null,
        T0,
        null);
  }

  private static SkillVersion version(
      String instance, String slug, String v, SkillOutcome outcome, String from, String to) {
    return new SkillVersion(instance, slug, v, "fp-" + v, T0, T0, outcome, from, to, null);
  }
}
