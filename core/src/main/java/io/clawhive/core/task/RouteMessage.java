package io.clawhive.core.task;

import java.time.Instant;
import java.util.UUID;

/**
 * A tenant's chat message to hand to their gateway; the answer goes to {@code replyTo}. {@code
 * updateId} is the Telegram update id (null for messages that did not come from Telegram).
 */
public record RouteMessage(
    UUID taskId,
    int attempt,
    Instant enqueuedAt,
    Long tenant,
    long chatId,
    Long updateId,
    String text,
    ReplyTo replyTo)
    implements Task {

  public static final String TYPE = "route_message";

  public RouteMessage {
    TaskChecks.common(taskId, attempt, enqueuedAt);
    TaskChecks.required(tenant, "tenant");
    TaskChecks.required(text, "text");
    TaskChecks.required(replyTo, "replyTo");
  }

  /** A first attempt with a fresh task id. */
  public static RouteMessage of(
      long tenant, long chatId, Long updateId, String text, ReplyTo replyTo, Instant now) {
    return new RouteMessage(
        UUID.randomUUID(), FIRST_ATTEMPT, now, tenant, chatId, updateId, text, replyTo);
  }

  @Override
  public RouteMessage withAttempt(int attempt) {
    return new RouteMessage(taskId, attempt, enqueuedAt, tenant, chatId, updateId, text, replyTo);
  }

  @Override
  public String type() {
    return TYPE;
  }
}
