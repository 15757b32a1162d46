package io.clawhive.worker.routing;

import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.worker.fleet.TenantNotices;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a tenant in their Telegram chat what happened to their agent (restarted for memory, stopped
 * for disk quota). Without a chat or a bot the notice is only logged.
 */
public final class TelegramNotices implements TenantNotices {
  private static final Logger LOG = LoggerFactory.getLogger(TelegramNotices.class);

  private final Storage storage;
  private final TelegramBotApi telegram;

  public TelegramNotices(Storage storage, TelegramBotApi telegram) {
    this.storage = storage;
    this.telegram = telegram;
  }

  @Override
  public void notify(long tenantId, String text) {
    Optional<Long> chat = storage.dao(TenantDao.class).findById(tenantId).map(Tenant::chatId);
    if (chat.isEmpty()) {
      TenantNotices.LOGGING.notify(tenantId, text);
      return;
    }
    try {
      telegram.sendMessage(chat.get(), text, null);
    } catch (RuntimeException e) {
      LOG.warn("could not tell tenant {} '{}': {}", tenantId, text, e.getMessage());
    }
  }
}
