package io.clawhive.worker.gateway;

import java.time.Duration;

/**
 * The assistant's answer to one chat turn, as the gateway returned it.
 *
 * @param cut true when the answer was longer than the reader's cap: {@code content} is its start
 */
public record ChatReply(
    String completionId, String content, String finishReason, Duration latency, boolean cut) {}
