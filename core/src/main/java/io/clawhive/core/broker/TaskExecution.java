package io.clawhive.core.broker;

import io.clawhive.core.task.Task;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs one delivered task to its end: handler, then ack; transient failures retried in place (the
 * lane waits, the message stays unacked, the attempt count grows) with doubling back-off; permanent
 * failures and exhausted retries go to the dead-letter queue, then ack.
 */
final class TaskExecution {

  private static final Logger LOG = LoggerFactory.getLogger(TaskExecution.class);
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final String nodeId;
  private final TaskHandler handler;
  private final TaskConsumerSettings settings;
  private final ScheduledExecutorService scheduler;
  private final Executor workers;
  private final TaskMetrics metrics;
  private final DeadLetterSender deadLetters;
  private final BooleanSupplier stopping;

  TaskExecution(
      String nodeId,
      TaskHandler handler,
      TaskConsumerSettings settings,
      ScheduledExecutorService scheduler,
      Executor workers,
      TaskMetrics metrics,
      DeadLetterSender deadLetters,
      BooleanSupplier stopping) {
    this.nodeId = nodeId;
    this.handler = handler;
    this.settings = settings;
    this.scheduler = scheduler;
    this.workers = workers;
    this.metrics = metrics;
    this.deadLetters = deadLetters;
    this.stopping = stopping;
  }

  CompletableFuture<Void> attempt(Task task, Received received) {
    MDC.put("taskId", task.taskId().toString());
    MDC.put("taskType", task.type());
    if (task.tenant() != null) {
      MDC.put("tenant", task.tenant().toString());
    }
    try {
      handler.handle(task);
    } catch (PermanentTaskException e) {
      deadLetter(task.type(), received, "permanent failure: " + e.getMessage());
      return DONE;
    } catch (Throwable e) {
      return failed(task, received, e);
    } finally {
      MDC.remove("taskId");
      MDC.remove("taskType");
      MDC.remove("tenant");
    }
    ack(received, task.type());
    return DONE;
  }

  private CompletableFuture<Void> failed(Task task, Received received, Throwable failure) {
    if (task.attempt() >= settings.maxAttempts()) {
      deadLetter(
          task.type(), received, "failed " + task.attempt() + " attempt(s), last: " + failure);
      return DONE;
    }
    if (stopping.getAsBoolean()) {
      LOG.warn(
          "Task {} ({}) attempt {} failed while stopping: {}; left unacked for redelivery",
          task.taskId(),
          task.type(),
          task.attempt(),
          failure.toString());
      return DONE;
    }
    Duration delay = settings.backoffAfter(task.attempt());
    metrics.mark(TaskMetrics.RETRIED, task.type());
    LOG.warn(
        "Task {} ({}) attempt {} of {} failed: {}; retry in {} ms",
        task.taskId(),
        task.type(),
        task.attempt(),
        settings.maxAttempts(),
        failure.toString(),
        delay.toMillis());
    Task next = task.withAttempt(task.attempt() + 1);
    try {
      Executor afterDelay =
          command -> scheduler.schedule(command, delay.toMillis(), TimeUnit.MILLISECONDS);
      return CompletableFuture.runAsync(() -> {}, afterDelay)
          .thenComposeAsync(ignored -> attempt(next, received), workers);
    } catch (RejectedExecutionException e) {
      LOG.warn("Task {} not retried, consumer stopped; left for redelivery", task.taskId());
      return DONE;
    }
  }

  /**
   * Declines a task through {@code overflow}, then acks it, and returns the notice to send; if the
   * decline cannot be recorded the task goes to the dead-letter queue instead (never dropped).
   */
  Runnable decline(TaskOverflow overflow, Task task, Received received, boolean firstOfRun) {
    Runnable notice;
    try {
      notice = overflow.decline(task, firstOfRun);
    } catch (Throwable e) {
      LOG.warn("Declining task {} ({}) failed: {}", task.taskId(), task.type(), e.toString());
      deadLetter(task.type(), received, "declined (its tenant is busy) but not recorded: " + e);
      return () -> {};
    }
    metrics.mark(TaskMetrics.DECLINED, task.type());
    LOG.info(
        "Task {} ({}) of tenant {} declined: the tenant already has its bound of tasks held",
        task.taskId(),
        task.type(),
        task.tenant());
    ack(received, task.type());
    return notice;
  }

  void deadLetter(String taskType, Received received, String reason) {
    try {
      deadLetters.send(nodeId, taskType, reason, received.properties(), received.body());
    } catch (RuntimeException e) {
      LOG.error(
          "Cannot publish message {} to the dead-letter queue ({}); rejecting it to the broker's"
              + " dead-letter exchange",
          received.properties().getMessageId(),
          e.toString());
      reject(received);
      metrics.mark(TaskMetrics.DEAD_LETTERED, taskType);
      return;
    }
    metrics.mark(TaskMetrics.DEAD_LETTERED, taskType);
    LOG.warn(
        "Message {} ({}) sent to dead-letter queue: {}",
        received.properties().getMessageId(),
        taskType,
        reason);
    acknowledge(received);
  }

  private void ack(Received received, String taskType) {
    if (acknowledge(received)) {
      metrics.mark(TaskMetrics.ACKED, taskType);
    }
  }

  private static boolean acknowledge(Received received) {
    try {
      received.channel().basicAck(received.deliveryTag(), false);
      return true;
    } catch (Exception e) {
      LOG.warn(
          "Ack of message {} failed ({}); the broker will redeliver it",
          received.properties().getMessageId(),
          e.toString());
      return false;
    }
  }

  private static void reject(Received received) {
    try {
      received.channel().basicReject(received.deliveryTag(), false);
    } catch (Exception e) {
      LOG.warn(
          "Reject of message {} failed: {}", received.properties().getMessageId(), e.toString());
    }
  }
}
