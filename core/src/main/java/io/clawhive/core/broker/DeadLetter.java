package io.clawhive.core.broker;

import java.time.Instant;

/**
 * A message in the dead-letter queue, as ops see it.
 *
 * @param originNode the node whose queue it came from (null if unknown)
 * @param taskType the task type, or {@code undecodable}
 * @param messageId the task id for tasks (may be null for foreign messages)
 * @param reason why it was dead-lettered
 * @param deadLetteredAt when (null if unknown)
 * @param body the message bytes as they were received
 */
public record DeadLetter(
    String originNode,
    String taskType,
    String messageId,
    String reason,
    Instant deadLetteredAt,
    byte[] body) {

  public static final String UNDECODABLE_TYPE = "undecodable";
}
