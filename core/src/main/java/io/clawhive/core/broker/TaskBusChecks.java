package io.clawhive.core.broker;

import java.time.Duration;
import java.util.Objects;

/** Setting checks for the broker package: bad settings fail where they are set. */
final class TaskBusChecks {

  private TaskBusChecks() {}

  static String requiredText(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }

  static int positive(int value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1 but was " + value);
    }
    return value;
  }

  static Duration positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be > 0 but was " + value);
    }
    return value;
  }
}
