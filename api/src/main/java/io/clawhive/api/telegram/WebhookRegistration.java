package io.clawhive.api.telegram;

import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.core.telegram.TelegramUnexpectedAnswerException;
import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhook mode: registers the webhook (URL, secret, allowed updates, max connections) at start. A
 * refusal stops the start; an odd answer to a call Telegram accepted ({@code "ok": true}) is only
 * logged by the client: the webhook is set.
 */
public final class WebhookRegistration implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookRegistration.class);

  private final TelegramBotApi telegram;
  private final String url;
  private final String secret;
  private final int maxConnections;

  public WebhookRegistration(
      TelegramBotApi telegram, String url, String secret, int maxConnections) {
    this.telegram = telegram;
    this.url = url;
    this.secret = secret;
    this.maxConnections = maxConnections;
  }

  @Override
  public void start() {
    try {
      telegram.setWebhook(url, secret, LongPoller.ALLOWED_UPDATES, maxConnections);
    } catch (TelegramUnexpectedAnswerException e) {
      if (!e.accepted()) {
        throw e;
      }
    }
    LOG.info("Telegram webhook set to {} (max connections {})", url, maxConnections);
  }
}
