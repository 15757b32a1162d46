package io.clawhive.core.task;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** Argument checks shared by the task records' compact constructors. */
final class TaskChecks {

  private TaskChecks() {}

  static void common(UUID taskId, int attempt, Instant enqueuedAt) {
    Objects.requireNonNull(taskId, "taskId");
    Objects.requireNonNull(enqueuedAt, "enqueuedAt");
    if (attempt < Task.FIRST_ATTEMPT) {
      throw new IllegalArgumentException("attempt must be >= 1 but was " + attempt);
    }
  }

  static <T> T required(T value, String name) {
    return Objects.requireNonNull(value, name);
  }

  static String requiredText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }

  static List<String> slugs(List<String> slugs) {
    Objects.requireNonNull(slugs, "slugs");
    slugs.forEach(slug -> requiredText(slug, "slug"));
    return List.copyOf(slugs);
  }
}
