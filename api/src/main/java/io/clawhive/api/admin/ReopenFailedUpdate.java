package io.clawhive.api.admin;

import io.clawhive.core.broker.DeadLetters;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a dead-lettered {@link RouteMessage} is replayed, its FAILED update becomes QUEUED again:
 * the worker skips FAILED updates as handled (so that a redelivery never answers twice), so without
 * this a replay would be acked and do nothing. An answer stored before the failure is then sent,
 * the agent is not asked again.
 */
public final class ReopenFailedUpdate implements DeadLetters.BeforeReplay {
  private static final Logger LOG = LoggerFactory.getLogger(ReopenFailedUpdate.class);

  private final Storage storage;

  public ReopenFailedUpdate(Storage storage) {
    this.storage = storage;
  }

  @Override
  public void prepare(Task task) {
    if (task instanceof RouteMessage message && message.updateId() != null) {
      boolean reopened = storage.dao(ProcessedUpdateDao.class).reopenFailed(message.updateId());
      LOG.info(
          "Replaying update {} of tenant {}: {}",
          message.updateId(),
          message.tenant(),
          reopened ? "FAILED -> QUEUED" : "not FAILED, left as it is");
    }
  }
}
