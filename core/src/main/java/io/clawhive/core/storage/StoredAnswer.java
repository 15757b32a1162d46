package io.clawhive.core.storage;

import java.time.Instant;

/**
 * One row of {@code update_answers}: the answer to a Telegram update, stored before it is sent.
 *
 * @param partsSent how many of its parts (messages, then the document) Telegram has accepted
 */
public record StoredAnswer(long updateId, String answer, int partsSent, Instant storedAt) {}
