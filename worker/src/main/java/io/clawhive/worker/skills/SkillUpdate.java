package io.clawhive.worker.skills;

import io.clawhive.core.storage.SkillOutcome;

/** The outcome of updating (or removing, refusing, restoring) one skill in one workspace. */
public record SkillUpdate(
    String slug, SkillOutcome outcome, String fromVersion, String toVersion, String detail) {

  SkillUpdate withDetail(String text) {
    return new SkillUpdate(slug, outcome, fromVersion, toVersion, text);
  }

  static SkillUpdate failed(String slug, String from, String detail) {
    return new SkillUpdate(slug, SkillOutcome.FAILED, from, null, detail);
  }
}
