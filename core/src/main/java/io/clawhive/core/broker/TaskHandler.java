package io.clawhive.core.broker;

import io.clawhive.core.task.Task;

/**
 * Does a task's work. Return normally only once the effect is committed (the message is acked
 * afterwards). Throw {@link PermanentTaskException} for tasks that can never succeed (dead-
 * lettered at once); any other exception is treated as transient and retried with back-off.
 */
@FunctionalInterface
public interface TaskHandler {
  void handle(Task task) throws Exception;
}
