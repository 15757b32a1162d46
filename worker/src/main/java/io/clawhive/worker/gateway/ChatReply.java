package io.clawhive.worker.gateway;

import java.time.Duration;

/** The assistant's answer to one chat turn, as the gateway returned it. */
public record ChatReply(
    String completionId, String content, String finishReason, Duration latency) {}
