package io.clawhive.worker.admission;

import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.task.ReplyTo;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.task.Task;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.worker.fleet.Fleet;
import io.clawhive.worker.fleet.NoSeatException;
import io.clawhive.worker.routing.BotCommand;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission in front of the route handler: a message for the agent goes on only once its tenant has
 * a gateway that is theirs for the time of the message (a {@link Fleet#admit lease}: not hibernated
 * meanwhile). A tenant who needs a new seat gets one if the worker has room or an idle gateway to
 * hibernate, and nobody it could serve waits already; otherwise the message goes into the {@link
 * WaitingLine} and the user is told their place once ({@link #waitingNotice}). Later messages of a
 * waiting user join the line behind their first. Bot commands other than the agent's pass straight
 * through (they need no gateway), and so do HTTP messages, whose caller waits for the answer:
 * without a seat they fail transiently ({@link NoSeatException}) and are retried.
 */
public final class AdmissionGate implements TaskHandler {

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionGate.class);

  private final TaskHandler next;
  private final Fleet fleet;
  private final WaitingLine line;
  private final Optional<TelegramBotApi> telegram;

  public AdmissionGate(
      TaskHandler next, Fleet fleet, WaitingLine line, Optional<TelegramBotApi> telegram) {
    this.next = next;
    this.fleet = fleet;
    this.line = line;
    this.telegram = telegram;
  }

  /** What a user who has to wait is told. */
  public static String waitingNotice(int place) {
    return "You are number "
        + place
        + " in line: every seat is taken right now. I will answer as soon as a seat is free;"
        + " your messages are kept.";
  }

  @Override
  public void handle(Task task) throws Exception {
    RouteMessage message = (RouteMessage) task;
    long tenant = message.tenant();
    if (BotCommand.parse(message.text()).isPresent()) {
      next.handle(task);
      return;
    }
    boolean http = message.replyTo().channel() == ReplyTo.Channel.HTTP;
    if (!http && line.waits(tenant)) {
      line.add(message); // behind their earlier messages; they know their place already
      return;
    }
    boolean admitted;
    try {
      admitted = fleet.admit(tenant, http || !line.anyoneWaitingHere());
    } catch (RuntimeException e) {
      // no gateway for this tenant here at all (FAILED, another's seat, …): the route handler
      // meets the same and answers it as it always has
      next.handle(task);
      return;
    }
    if (!admitted) {
      if (http) {
        throw new NoSeatException(tenant, "every gateway is in use (HTTP messages do not wait)");
      }
      wait(message);
      return;
    }
    try {
      next.handle(task);
    } finally {
      fleet.release(tenant);
    }
  }

  private void wait(RouteMessage message) {
    int place = line.add(message);
    LOG.info("tenant {} waits for a seat: number {} in line", message.tenant(), place);
    telegram.ifPresent(
        bot -> {
          try {
            bot.sendMessage(message.chatId(), waitingNotice(place), message.replyTo().messageId());
          } catch (RuntimeException e) {
            LOG.warn(
                "could not tell tenant {} their place in line: {}",
                message.tenant(),
                e.getMessage());
          }
        });
  }
}
