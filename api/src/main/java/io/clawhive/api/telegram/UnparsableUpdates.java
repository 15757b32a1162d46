package io.clawhive.api.telegram;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.telegram.IncomingUpdate;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles an update that could not be understood: records it as IGNORED with its reason and the
 * start of its JSON (for {@code GET /api/v1/updates/ignored}), counts it, and lets the caller move
 * past it (advance the offset, answer the webhook 200). A repeat of an update already recorded is
 * neither counted nor logged again.
 */
final class UnparsableUpdates {
  /** Counter: updates recorded as IGNORED because they could not be understood. */
  static final String UNPARSABLE = "telegram.updates.unparsable";

  private static final Logger LOG = LoggerFactory.getLogger(UnparsableUpdates.class);

  private final Storage storage;
  private final Counter unparsable;
  private final Clock clock;

  UnparsableUpdates(Storage storage, MetricRegistry metrics, Clock clock) {
    this.storage = storage;
    this.unparsable = metrics.counter(UNPARSABLE);
    this.clock = clock;
  }

  /** Returns true if this call recorded it, false if it was known already. */
  boolean record(IncomingUpdate update) {
    boolean recorded =
        storage
            .dao(ProcessedUpdateDao.class)
            .insertUnparsable(update.updateId(), clock.instant(), update.problem(), update.raw());
    if (recorded) {
      unparsable.inc();
      LOG.warn(
          "Update {} could not be understood ({}); recorded as IGNORED, moving past it",
          update.updateId(),
          update.problem());
    }
    return recorded;
  }
}
