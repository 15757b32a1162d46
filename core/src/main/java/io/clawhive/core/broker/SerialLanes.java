package io.clawhive.core.broker;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Runs work one after another per key and in parallel across keys on a shared executor. Work
 * returns a future, so a lane can wait (retry back-off) without holding a thread.
 */
final class SerialLanes {

  private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();
  private final Executor executor;

  SerialLanes(Executor executor) {
    this.executor = executor;
  }

  /** Queues {@code work} behind earlier work of {@code key}; the result never fails. */
  CompletableFuture<Void> submit(String key, Supplier<CompletableFuture<Void>> work) {
    CompletableFuture<Void> tail =
        tails.compute(
            key,
            (k, previous) ->
                (previous == null ? CompletableFuture.<Void>completedFuture(null) : previous)
                    .thenComposeAsync(ignored -> work.get(), executor)
                    .handle((ignored, failure) -> null));
    tail.whenComplete((ignored, failure) -> tails.remove(key, tail));
    return tail;
  }
}
