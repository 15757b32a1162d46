package io.clawhive.worker.modelproxy;

import io.clawhive.core.storage.ConstraintViolationStorageException;
import io.clawhive.core.storage.ModelUsageDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.StorageException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds each proxied request to its tenant's row of the day in {@code model_usage}. A storage
 * failure is logged and the answer still goes out (usage is accounting, not the user's answer).
 */
final class UsageLedger {

  private static final Logger LOG = LoggerFactory.getLogger(UsageLedger.class);

  /** One request's contribution. */
  record Entry(long requests, long tokensIn, long tokensOut, long errors, long refused) {
    static Entry refusal() {
      return new Entry(0, 0, 0, 0, 1);
    }

    static Entry failure() {
      return new Entry(1, 0, 0, 1, 0);
    }
  }

  private final Storage storage;
  private final Clock clock;

  UsageLedger(Storage storage, Clock clock) {
    this.storage = storage;
    this.clock = clock;
  }

  void record(long tenantId, Entry e) {
    Instant now = clock.instant();
    LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
    ModelUsageDao dao = storage.dao(ModelUsageDao.class);
    try {
      if (add(dao, tenantId, day, e, now)) {
        return;
      }
      try {
        dao.insert(
            tenantId, day, e.requests(), e.tokensIn(), e.tokensOut(), e.errors(), e.refused(), now);
      } catch (ConstraintViolationStorageException raced) {
        add(dao, tenantId, day, e, now);
      }
    } catch (StorageException failure) {
      LOG.warn("usage of tenant {} not recorded: {}", tenantId, failure.getMessage());
    }
  }

  private static boolean add(
      ModelUsageDao dao, long tenantId, LocalDate day, Entry e, Instant now) {
    return dao.add(
        tenantId, day, e.requests(), e.tokensIn(), e.tokensOut(), e.errors(), e.refused(), now);
  }
}
