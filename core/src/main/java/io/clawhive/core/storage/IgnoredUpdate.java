package io.clawhive.core.storage;

import java.time.Instant;

/**
 * An IGNORED row of {@code processed_updates} as ops see it: why it was ignored and, for an update
 * that could not be understood, the start of its JSON ({@code reason} and {@code rawUpdate} are
 * null for updates ignored by design, e.g. group messages).
 */
public record IgnoredUpdate(long updateId, Instant receivedAt, String reason, String rawUpdate) {}
