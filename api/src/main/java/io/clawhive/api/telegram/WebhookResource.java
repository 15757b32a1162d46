package io.clawhive.api.telegram;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.api.ErrorResponses;
import io.clawhive.core.ClawhiveException;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.telegram.IncomingUpdate;
import io.clawhive.core.telegram.TelegramBotApi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /telegram/webhook}: Telegram's updates in webhook mode. The secret header is checked
 * in constant time (missing or wrong → 401); bodies over the limit → 413; malformed JSON or a body
 * without a usable {@code update_id} → 400. 200 only after the update is settled (route task
 * confirmed, or deliberately ignored, or recorded as not understood so that Telegram moves on); if
 * it cannot be settled now (broker or storage unreachable: every failure of theirs is a {@link
 * ClawhiveException}) → 503, and Telegram delivers it again. A notice the update calls for is only
 * queued (see {@link NoticeSender}): the request never waits on an outgoing Telegram call.
 */
@Path("/telegram/webhook")
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public final class WebhookResource {
  public static final String SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";
  private static final Logger LOG = LoggerFactory.getLogger(WebhookResource.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final byte[] secret;
  private final long maxBodyBytes;
  private final TelegramBotApi telegram;
  private final TelegramIngress ingress;
  private final UnparsableUpdates unparsable;

  public WebhookResource(
      String secret,
      long maxBodyBytes,
      TelegramBotApi telegram,
      TelegramIngress ingress,
      Storage storage,
      MetricRegistry metrics,
      Clock clock) {
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("webhook secret must not be empty");
    }
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.maxBodyBytes = maxBodyBytes;
    this.telegram = telegram;
    this.ingress = ingress;
    this.unparsable = new UnparsableUpdates(storage, metrics, clock);
  }

  @POST
  public Response receive(@HeaderParam(SECRET_HEADER) String given, InputStream body) {
    if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), secret)) {
      return ErrorResponses.json(Response.Status.UNAUTHORIZED, "missing or wrong " + SECRET_HEADER);
    }
    byte[] bytes;
    try {
      bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 1, maxBodyBytes + 1));
    } catch (IOException e) {
      return ErrorResponses.json(Response.Status.BAD_REQUEST, "could not read the body");
    }
    if (bytes.length > maxBodyBytes) {
      return ErrorResponses.json(
          Response.Status.REQUEST_ENTITY_TOO_LARGE, "body over " + maxBodyBytes + " bytes");
    }
    Optional<IncomingUpdate> read;
    try {
      read = telegram.readUpdate(JSON.readTree(bytes));
    } catch (IOException e) {
      return ErrorResponses.json(Response.Status.BAD_REQUEST, "malformed JSON");
    }
    if (read.isEmpty()) {
      return ErrorResponses.json(
          Response.Status.BAD_REQUEST, "not a Telegram update (no integer update_id)");
    }
    IncomingUpdate update = read.get();
    try {
      return Response.ok(Map.of("outcome", settle(update).name())).build();
    } catch (ClawhiveException e) {
      LOG.warn(
          "Update {} not settled: {}; answering 503 so Telegram retries",
          update.updateId(),
          e.toString());
      return ErrorResponses.json(Response.Status.SERVICE_UNAVAILABLE, "not queued, retry later");
    }
  }

  private TelegramIngress.Outcome settle(IncomingUpdate update) {
    if (update.understood()) {
      return ingress.handle(update.update());
    }
    return unparsable.record(update)
        ? TelegramIngress.Outcome.IGNORED
        : TelegramIngress.Outcome.DUPLICATE;
  }
}
