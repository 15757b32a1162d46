package io.clawhive.api.telegram;

import io.clawhive.core.telegram.TelegramBotApi;
import io.dropwizard.lifecycle.Managed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Webhook mode: registers the webhook (URL, secret, allowed updates, max connections) at start. */
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
    telegram.setWebhook(url, secret, LongPoller.ALLOWED_UPDATES, maxConnections);
    LOG.info("Telegram webhook set to {} (max connections {})", url, maxConnections);
  }
}
