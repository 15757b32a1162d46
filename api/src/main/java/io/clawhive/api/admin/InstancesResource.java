package io.clawhive.api.admin;

import io.clawhive.api.ErrorResponses;
import io.clawhive.api.telegram.Placement;
import io.clawhive.api.telegram.TenantRouter;
import io.clawhive.core.ClawhiveException;
import io.clawhive.core.reply.HttpReply;
import io.clawhive.core.reply.ReplyWaiter;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.core.task.ReplyTo;
import io.clawhive.core.task.RouteMessage;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /api/v1/instances/{tenant}/messages}: chat with a tenant's agent over HTTP (admin
 * token). Creates the tenant if new (ops bypass the instance cap), routes the message like a
 * Telegram one and waits for the worker's answer on this node's reply queue: 200 with the reply,
 * 502 when the agent failed, 503 when no worker is live, 504 after the timeout.
 */
@Path("/v1/instances")
@Produces(MediaType.APPLICATION_JSON)
public final class InstancesResource {
  /** Same bound as a Telegram message from a user, generously. */
  public static final int MAX_TEXT_CHARS = 16_384;

  private final TenantRouter router;
  private final ReplyWaiter replies;
  private final Duration timeout;
  private final Clock clock;

  public InstancesResource(
      TenantRouter router, ReplyWaiter replies, Duration timeout, Clock clock) {
    this.router = router;
    this.replies = replies;
    this.timeout = timeout;
    this.clock = clock;
  }

  /** The request body. */
  public record MessageRequest(@NotBlank @Size(max = MAX_TEXT_CHARS) String text) {}

  /** The agent's answer. */
  public record MessageReply(long tenant, String reply) {}

  @POST
  @Path("/{tenant}/messages")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response send(
      @PathParam("tenant") String tenantId, @jakarta.validation.Valid MessageRequest request) {
    long tenant = TenantIds.parse(tenantId);
    if (request == null || request.text() == null || request.text().isBlank()) {
      return ErrorResponses.json(Response.Status.BAD_REQUEST, "body must be {\"text\": \"...\"}");
    }
    Tenant row = router.admit(tenant, null, null, false);
    if (row.status() == TenantStatus.BLOCKED) {
      return ErrorResponses.json(Response.Status.CONFLICT, "tenant " + tenant + " is blocked");
    }
    ReplyWaiter.Pending pending = replies.expect();
    try {
      router.route(
          RouteMessage.of(
              tenant,
              row.chatId() == null ? tenant : row.chatId(),
              null,
              request.text(),
              ReplyTo.http(pending.correlationId(), replies.nodeId()),
              clock.instant()));
      HttpReply reply = pending.reply().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (reply.failed()) {
        return ErrorResponses.json(Response.Status.BAD_GATEWAY, reply.error());
      }
      return Response.ok(new MessageReply(tenant, reply.text())).build();
    } catch (Placement.NoWorkerException e) {
      return ErrorResponses.json(Response.Status.SERVICE_UNAVAILABLE, e.getMessage());
    } catch (ClawhiveException e) {
      return ErrorResponses.json(
          Response.Status.SERVICE_UNAVAILABLE, "message not queued: " + e.getMessage());
    } catch (TimeoutException e) {
      return ErrorResponses.json(
          Response.Status.GATEWAY_TIMEOUT,
          "no answer within " + timeout.toSeconds() + " s; the agent may still answer later");
    } catch (InterruptedException | CancellationException e) {
      Thread.currentThread().interrupt();
      return ErrorResponses.json(Response.Status.SERVICE_UNAVAILABLE, "node is stopping");
    } catch (ExecutionException e) {
      return ErrorResponses.json(Response.Status.BAD_GATEWAY, e.getCause().toString());
    } finally {
      replies.forget(pending.correlationId());
    }
  }
}
