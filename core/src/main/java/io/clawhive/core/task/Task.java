package io.clawhive.core.task;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One unit of work sent to a worker over the task bus. Implementations are immutable records,
 * encoded by {@link TaskCodec} with an explicit {@code type} and {@code schemaVersion}.
 */
public sealed interface Task
    permits CreateInstance,
        RouteMessage,
        CheckHealth,
        RestartInstance,
        HibernateInstance,
        WakeInstance,
        StopInstance,
        DeleteInstance,
        InstallSkills,
        UpdateSkills {

  /** The attempt number of a task that has not failed yet. */
  int FIRST_ATTEMPT = 1;

  /** Identifies the task across retries and redeliveries (idempotency key). */
  UUID taskId();

  /** 1 for the first attempt, incremented on every retry. */
  int attempt();

  /** When the task was first enqueued (kept across retries). */
  Instant enqueuedAt();

  /** The tenant (Telegram user id) this task concerns, or null when none (pool, worker-wide). */
  Long tenant();

  /** The same task with another attempt number. */
  Task withAttempt(int attempt);

  /** Stable lower-case wire name of the task type, e.g. {@code route_message}. */
  String type();

  default Optional<Long> tenantId() {
    return Optional.ofNullable(tenant());
  }

  /**
   * Tasks with the same key run one after another, in order; different keys run in parallel. Tasks
   * of a tenant share the tenant's key; tasks without a tenant each get their own.
   */
  default String orderingKey() {
    return tenant() != null ? "tenant:" + tenant() : "task:" + taskId();
  }
}
