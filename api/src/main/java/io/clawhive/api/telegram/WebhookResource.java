package io.clawhive.api.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.api.ErrorResponses;
import io.clawhive.core.ClawhiveException;
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
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.meta.api.objects.Update;

/**
 * {@code POST /telegram/webhook}: Telegram's updates in webhook mode. The secret header is checked
 * in constant time (missing or wrong → 401); bodies over the limit → 413; malformed JSON or a body
 * that is not an update → 400. 200 only after the update is settled (route task confirmed, or
 * deliberately ignored); if the task cannot be queued → 503, and Telegram delivers it again.
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

  public WebhookResource(
      String secret, long maxBodyBytes, TelegramBotApi telegram, TelegramIngress ingress) {
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("webhook secret must not be empty");
    }
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.maxBodyBytes = maxBodyBytes;
    this.telegram = telegram;
    this.ingress = ingress;
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
    Update update;
    try {
      JsonNode tree = JSON.readTree(bytes);
      if (tree == null || !tree.isObject() || !tree.path("update_id").canConvertToInt()) {
        return ErrorResponses.json(
            Response.Status.BAD_REQUEST, "not a Telegram update (no update_id)");
      }
      update = telegram.parseUpdate(tree);
    } catch (IOException | IllegalArgumentException e) {
      return ErrorResponses.json(Response.Status.BAD_REQUEST, "malformed JSON");
    }
    try {
      return Response.ok(Map.of("outcome", ingress.handle(update).name())).build();
    } catch (ClawhiveException e) {
      LOG.warn(
          "Update {} not queued: {}; answering 503 so Telegram retries",
          update.getUpdateId(),
          e.toString());
      return ErrorResponses.json(Response.Status.SERVICE_UNAVAILABLE, "not queued, retry later");
    }
  }
}
