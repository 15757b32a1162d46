package io.clawhive.worker.fleet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a tenant once about something the fleet did to their gateway on its own (restarted for
 * memory, stopped for disk quota). Routing sets a Telegram-backed implementation; called from a
 * background thread, never under a supervisor's lock.
 */
@FunctionalInterface
public interface TenantNotices {

  void notify(long tenantId, String text);

  /** The default until routing sets its own: an INFO line. */
  TenantNotices LOGGING =
      new TenantNotices() {
        private final Logger log = LoggerFactory.getLogger(TenantNotices.class);

        @Override
        public void notify(long tenantId, String text) {
          log.info("notice for tenant {} (no notice channel set): {}", tenantId, text);
        }
      };
}
