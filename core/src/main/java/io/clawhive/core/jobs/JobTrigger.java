package io.clawhive.core.jobs;

import java.util.Set;

/**
 * Runs a scheduled job now, out of its schedule (for {@code POST /api/v1/jobs/{name}/run}). The
 * scheduler role's implementation hands Quartz a one-shot trigger in the clustered job store, so
 * that exactly one scheduler node of the cluster runs it.
 */
public interface JobTrigger {

  /** The names of the jobs that can be run. */
  Set<String> jobNames();

  /** Starts {@code name} now; false when no such job exists. */
  boolean runNow(String name);

  /** A node without the scheduler role: nothing can be run from here. */
  JobTrigger NONE =
      new JobTrigger() {
        @Override
        public Set<String> jobNames() {
          return Set.of();
        }

        @Override
        public boolean runNow(String name) {
          return false;
        }
      };
}
