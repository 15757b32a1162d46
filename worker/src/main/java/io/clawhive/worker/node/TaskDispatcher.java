package io.clawhive.worker.node;

import io.clawhive.core.broker.PermanentTaskException;
import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.task.Task;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends each task to the handler registered for its type. A task type this worker has no handler
 * for is a permanent failure: it goes to the dead-letter queue at once, where ops can see it and
 * replay it once a worker that handles it runs.
 */
public final class TaskDispatcher implements TaskHandler {
  private final String nodeId;
  private final Map<Class<? extends Task>, TaskHandler> handlers = new ConcurrentHashMap<>();

  public TaskDispatcher(String nodeId) {
    this.nodeId = nodeId;
  }

  public <T extends Task> TaskDispatcher register(Class<T> type, TaskHandler handler) {
    if (handlers.putIfAbsent(type, handler) != null) {
      throw new IllegalStateException(
          "a handler for " + type.getSimpleName() + " is registered already");
    }
    return this;
  }

  @Override
  public void handle(Task task) throws Exception {
    TaskHandler handler = handlers.get(task.getClass());
    if (handler == null) {
      throw new PermanentTaskException(
          "worker " + nodeId + " has no handler for task type " + task.type());
    }
    handler.handle(task);
  }
}
