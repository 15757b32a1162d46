package io.clawhive.worker.tasks;

import io.clawhive.core.broker.PermanentTaskException;
import io.clawhive.worker.fleet.InstanceUnavailableException;

/** Runs a fleet operation; an instance that is missing, elsewhere or FAILED is not retried. */
final class Permanent {

  @FunctionalInterface
  interface Operation {
    void run();
  }

  private Permanent() {}

  static void unlessUnavailable(Operation operation) {
    try {
      operation.run();
    } catch (InstanceUnavailableException e) {
      throw new PermanentTaskException(e.getMessage(), e);
    }
  }
}
