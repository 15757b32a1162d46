package io.clawhive.api.admin;

import io.clawhive.core.broker.DeadLetter;
import io.clawhive.core.broker.DeadLetters;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/dead-letters}: what the task bus gave up on. {@code GET} lists up to {@code limit}
 * (they stay queued); {@code POST /replay} sends every replayable one (optionally only of {@code
 * type}) back to its worker as a fresh first attempt. A replayed {@code route_message} really runs
 * again: its FAILED update is reopened first (see {@link ReopenFailedUpdate}), else the worker
 * would skip it as handled.
 */
@Path("/v1/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
public final class DeadLettersResource {
  static final int MAX_LIMIT = 500;
  static final int MAX_BODY_CHARS = 4096;

  private final DeadLetters deadLetters;
  private final DeadLetters.BeforeReplay beforeReplay;

  public DeadLettersResource(DeadLetters deadLetters, DeadLetters.BeforeReplay beforeReplay) {
    this.deadLetters = deadLetters;
    this.beforeReplay = beforeReplay;
  }

  /** One dead letter as ops see it; the body is shown as text, cut to {@value #MAX_BODY_CHARS}. */
  public record DeadLetterView(
      String originNode,
      String taskType,
      String messageId,
      String reason,
      Instant deadLetteredAt,
      String body) {
    static DeadLetterView of(DeadLetter d) {
      String body = new String(d.body(), StandardCharsets.UTF_8);
      return new DeadLetterView(
          d.originNode(),
          d.taskType(),
          d.messageId(),
          d.reason(),
          d.deadLetteredAt(),
          body.length() > MAX_BODY_CHARS ? body.substring(0, MAX_BODY_CHARS) + "…" : body);
    }
  }

  /** The listing: how many wait in total and the first ones. */
  public record DeadLetterList(long total, List<DeadLetterView> letters) {}

  @GET
  public DeadLetterList list(@QueryParam("limit") @DefaultValue("50") int limit) {
    int bounded = Math.max(1, Math.min(limit, MAX_LIMIT));
    return new DeadLetterList(
        deadLetters.count(), deadLetters.peek(bounded).stream().map(DeadLetterView::of).toList());
  }

  @POST
  @Path("/replay")
  public Map<String, Integer> replay(@QueryParam("type") String type) {
    int replayed =
        deadLetters.replay(
            letter -> type == null || type.isBlank() || type.equals(letter.taskType()),
            beforeReplay);
    return Map.of("replayed", replayed);
  }
}
