package io.clawhive.worker.routing;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.broker.TaskOverflow;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.task.ReplyTo;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.task.Task;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declines the chat messages of a tenant who already has its bound of messages held by the worker
 * (one being answered, the rest waiting): the update is recorded FAILED with reason {@value
 * #REASON} (so a redelivery is never answered), and the user is told once per run of declines. A
 * waiting HTTP caller is answered every time (nobody else would answer it). Other task types are
 * never declined.
 */
public final class BusyTenantDecliner implements TaskOverflow {

  /** Messages declined because their tenant had too many waiting (all tenants together). */
  public static final String DECLINED = "messages.declined";

  static final String REASON = "declined: still working on earlier messages";

  static final String STILL_WORKING =
      "I'm still working on your earlier messages, so I skipped this one (and will skip more"
          + " until I catch up). Please send it again once I've answered.";

  private static final Logger LOG = LoggerFactory.getLogger(BusyTenantDecliner.class);
  private static final Runnable NOBODY = () -> {};

  private final Storage storage;
  private final Function<RouteMessage, Replier> repliers;
  private final Meter declined;

  BusyTenantDecliner(
      Storage storage, Function<RouteMessage, Replier> repliers, MetricRegistry metrics) {
    this.storage = storage;
    this.repliers = repliers;
    this.declined = metrics.meter(DECLINED);
  }

  /** Declines on behalf of {@code handler}, answering the way it would. */
  public static BusyTenantDecliner of(
      RouteMessageHandler handler, Storage storage, MetricRegistry metrics) {
    return new BusyTenantDecliner(storage, handler::replierFor, metrics);
  }

  @Override
  public boolean declinable(Task task) {
    return task instanceof RouteMessage;
  }

  @Override
  public Runnable decline(Task task, boolean firstOfRun) {
    RouteMessage message = (RouteMessage) task;
    if (message.updateId() != null
        && !storage.dao(ProcessedUpdateDao.class).markDeclined(message.updateId(), REASON)) {
      LOG.info(
          "Update {} of tenant {} is answered or failed already; not declining it again",
          message.updateId(),
          message.tenant());
      return NOBODY;
    }
    declined.mark();
    boolean http = message.replyTo().channel() == ReplyTo.Channel.HTTP;
    if (!firstOfRun && !http) {
      return NOBODY; // told at the start of this run of declines
    }
    return () -> tell(message);
  }

  private void tell(RouteMessage message) {
    try {
      repliers.apply(message).failure(STILL_WORKING);
    } catch (RuntimeException e) {
      LOG.warn(
          "Could not tell tenant {} that update {} was declined: {}",
          message.tenant(),
          message.updateId(),
          e.toString());
    }
  }
}
