package io.clawhive.core.broker;

import io.clawhive.core.task.Task;

/**
 * What a {@link TaskConsumer} does with a task whose tenant already holds its bound of deliveries
 * (one running plus {@link TaskConsumerSettings#maxQueuedPerTenant()} waiting). A declinable task
 * is handed to {@link #decline} and then acked: it never waits in the lane, so one tenant's backlog
 * cannot fill the prefetch window that other tenants need. Tasks that must not be declined
 * (restarts, hibernation, …) always join their lane.
 */
public interface TaskOverflow {

  /** Nothing is ever declined: every task waits in its lane (the behaviour before bounds). */
  TaskOverflow NONE =
      new TaskOverflow() {
        @Override
        public boolean declinable(Task task) {
          return false;
        }

        @Override
        public Runnable decline(Task task, boolean firstOfRun) {
          throw new IllegalStateException("nothing is declinable");
        }
      };

  /** Whether {@code task} may be declined when its lane is full. */
  boolean declinable(Task task);

  /**
   * Declines {@code task}: records it durably and returns only once the record is committed (the
   * delivery is acked afterwards); a failure sends the task to the dead-letter queue instead, so
   * nothing is lost.
   *
   * @param firstOfRun true for the first task declined since the lane last admitted one (tell the
   *     user once per run, not once per message)
   * @return what tells whoever waits for the task (run after the ack, off the path that acks, so a
   *     slow notice never holds a delivery); a no-op when nobody is to be told
   */
  Runnable decline(Task task, boolean firstOfRun) throws Exception;
}
