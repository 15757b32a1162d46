package io.clawhive.worker.routing;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.clawhive.core.broker.PermanentTaskException;
import io.clawhive.core.broker.TaskHandler;
import io.clawhive.core.reply.ReplyPublisher;
import io.clawhive.core.storage.HostSeatDao;
import io.clawhive.core.storage.ProcessedUpdate;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.StoredAnswer;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantDao;
import io.clawhive.core.storage.UpdateAnswerDao;
import io.clawhive.core.storage.UpdateStatus;
import io.clawhive.core.task.ReplyTo;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.task.Task;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.worker.fleet.SeatTakenException;
import io.clawhive.worker.fleet.TenantGateways;
import io.clawhive.worker.gateway.ChatReply;
import io.clawhive.worker.gateway.GatewayClient;
import io.clawhive.worker.gateway.GatewayException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles {@link RouteMessage}: bot commands itself, everything else through the tenant's gateway,
 * answer to the chat (split; a long one as a document, see {@link AnswerLimits}) or the waiting
 * HTTP request. An update already ANSWERED (or FAILED) is skipped, so a redelivered task never
 * replies twice. An answer is stored before it is sent (with the parts sent so far): a failed send
 * or a redelivered task sends the stored answer's missing parts instead of asking the agent again
 * (a replayed dead letter reopens its FAILED update first). Transient failures throw (the task bus
 * retries with back-off); on the last attempt, or on a permanent failure, the user gets one clear
 * failure message and the task goes to the dead-letter queue.
 */
public final class RouteMessageHandler implements TaskHandler {

  /** Telegram shows "typing" for about 5 s; it is renewed this often while the agent works. */
  public static final Duration TYPING_EVERY = Duration.ofSeconds(4);

  /** Update received (task enqueued by the api) → answer handed to Telegram or the HTTP caller. */
  public static final String ANSWER_LATENCY = "messages.answer.latency";

  /** One chat call to a gateway (after it is ready), answered or not. */
  public static final String GATEWAY_CHAT = "gateway.chat";

  /** Told when a chat turn takes longer than the worker's chat time limit (not retried). */
  static final String TIMED_OUT =
      "Sorry, your agent took longer than its time limit on this message, so I stopped waiting."
          + " It may still finish what it started; send your next message when you're ready, or"
          + " /restart if it seems stuck.";

  /** Messages given up on (the user was told, the task is dead-lettered). */
  public static final String FAILED = "messages.failed";

  /** Answers longer than the inline limit, sent as their first message plus a document. */
  public static final String ANSWERS_AS_DOCUMENT = "messages.answer.documents";

  /** Answers cut at the hard cap (the rest of the gateway's reply was never read). */
  public static final String ANSWERS_CUT = "messages.answer.cut";

  /** Stored answers sent again (a send failed or the task was redelivered or replayed). */
  public static final String ANSWERS_RESENT = "messages.answer.resent";

  private static final Logger LOG = LoggerFactory.getLogger(RouteMessageHandler.class);

  private final TenantGateways gateways;
  private final Storage storage;
  private final Optional<TelegramBotApi> telegram;
  private final ReplyPublisher replies;
  private final int maxAttempts;
  private final ScheduledExecutorService typingTimer;
  private final BudgetRefusals budgets;
  private final Clock clock;
  private final Timer answerLatency;
  private final Timer gatewayChat;
  private final Meter failed;
  private final Meter documents;
  private final Meter cut;
  private final Meter resent;
  private final AnswerLimits limits;

  public RouteMessageHandler(
      TenantGateways gateways,
      Storage storage,
      Optional<TelegramBotApi> telegram,
      ReplyPublisher replies,
      int maxAttempts,
      ScheduledExecutorService typingTimer,
      MetricRegistry metrics,
      Clock clock) {
    this(
        gateways,
        storage,
        telegram,
        replies,
        maxAttempts,
        typingTimer,
        BudgetRefusals.NONE,
        metrics,
        clock);
  }

  /**
   * @param budgets what the model proxy refused: a tenant over its model budget is told so plainly,
   *     before the gateway is asked (budget used up) or instead of the gateway's answer (refused
   *     during the turn)
   */
  public RouteMessageHandler(
      TenantGateways gateways,
      Storage storage,
      Optional<TelegramBotApi> telegram,
      ReplyPublisher replies,
      int maxAttempts,
      ScheduledExecutorService typingTimer,
      BudgetRefusals budgets,
      MetricRegistry metrics,
      Clock clock) {
    this(
        gateways,
        storage,
        telegram,
        replies,
        maxAttempts,
        typingTimer,
        budgets,
        AnswerLimits.defaults(),
        metrics,
        clock);
  }

  /**
   * @param limits how much of a gateway's reply is read, and from what length an answer is sent as
   *     a document
   */
  public RouteMessageHandler(
      TenantGateways gateways,
      Storage storage,
      Optional<TelegramBotApi> telegram,
      ReplyPublisher replies,
      int maxAttempts,
      ScheduledExecutorService typingTimer,
      BudgetRefusals budgets,
      AnswerLimits limits,
      MetricRegistry metrics,
      Clock clock) {
    this.limits = limits;
    this.documents = metrics.meter(ANSWERS_AS_DOCUMENT);
    this.cut = metrics.meter(ANSWERS_CUT);
    this.resent = metrics.meter(ANSWERS_RESENT);
    this.budgets = budgets;
    this.answerLatency = metrics.timer(ANSWER_LATENCY);
    this.gatewayChat = metrics.timer(GATEWAY_CHAT);
    this.failed = metrics.meter(FAILED);
    this.gateways = gateways;
    this.storage = storage;
    this.telegram = telegram;
    this.replies = replies;
    this.maxAttempts = maxAttempts;
    this.typingTimer = typingTimer;
    this.clock = clock;
  }

  @Override
  public void handle(Task task) throws Exception {
    RouteMessage message = (RouteMessage) task;
    if (alreadyDone(message)) {
      LOG.info("Update {} was handled already; not answering again", message.updateId());
      return;
    }
    Replier replier = replierFor(message);
    try {
      Optional<StoredAnswer> stored = storedAnswer(message);
      String answer;
      if (stored.isPresent()) {
        resent.mark();
        LOG.info(
            "Update {} was answered before but not delivered: sending the stored answer, the"
                + " agent is not asked again",
            message.updateId());
        answer = stored.get().answer();
      } else {
        Optional<BotCommand> command = BotCommand.parse(message.text());
        answer = command.isPresent() ? command(message, command.get()) : askAgent(message, replier);
        store(message, answer);
      }
      replier.answer(answer, progress(message, stored));
      answerLatency.update(
          Math.max(0, clock.millis() - message.enqueuedAt().toEpochMilli()), TimeUnit.MILLISECONDS);
      record(message, UpdateStatus.ANSWERED);
    } catch (SeatTakenException e) {
      LOG.info("Tenant {} not served: {}", message.tenant(), e.getMessage());
      replier.answer(HostSeatDao.ONE_PERSON_REPLY);
      record(message, UpdateStatus.ANSWERED);
    } catch (PermanentTaskException e) {
      giveUp(message, replier, e);
      throw e;
    } catch (GatewayException e) {
      if (chatTimedOut(e)) {
        // not retried: the agent may still be working on it, and a retry would run it again
        giveUp(message, replier, e, TIMED_OUT);
        throw new PermanentTaskException("chat timed out: " + e.getMessage(), e);
      }
      if (!e.retryable()) {
        giveUp(message, replier, e);
        throw new PermanentTaskException("gateway refused the message: " + e.getMessage(), e);
      }
      lastAttemptGivesUp(message, replier, e);
      throw e;
    } catch (Exception e) {
      lastAttemptGivesUp(message, replier, e);
      throw e;
    }
  }

  private String askAgent(RouteMessage message, Replier replier) {
    long tenant = message.tenant();
    Optional<String> exhausted = budgets.exhausted(tenant);
    if (exhausted.isPresent()) {
      LOG.info("tenant {} has used its model budget: told so, gateway not asked", tenant);
      return exhausted.get();
    }
    Instant asked = clock.instant();
    try {
      String answer = chat(tenant, message.text(), replier);
      return budgets.refusedSince(tenant, asked).orElse(answer);
    } catch (GatewayException e) {
      Optional<String> refused = budgets.refusedSince(tenant, asked);
      if (refused.isPresent()) {
        LOG.info(
            "tenant {} over its model budget during the turn ({}): told so", tenant, e.toString());
        return refused.get();
      }
      throw e;
    }
  }

  private String chat(long tenant, String text, Replier replier) {
    replier.typing();
    ScheduledFuture<?> typing =
        typingTimer.scheduleAtFixedRate(
            replier::typing,
            TYPING_EVERY.toMillis(),
            TYPING_EVERY.toMillis(),
            TimeUnit.MILLISECONDS);
    try {
      GatewayClient gateway = gateways.gatewayFor(tenant);
      String answer;
      try (Timer.Context timing = gatewayChat.time()) {
        ChatReply reply = gateway.chat(sessionKey(tenant), text, limits.maxChars());
        answer = reply.content();
        if (reply.cut()) {
          cut.mark();
          LOG.warn(
              "Answer for tenant {} longer than {} characters: cut, the rest was not read",
              tenant,
              limits.maxChars());
          answer = answer + BotReplies.cutNote(limits.maxChars());
        }
      }
      gateways.touch(tenant);
      return answer.isBlank() ? "(your agent sent an empty answer)" : answer;
    } finally {
      typing.cancel(false);
    }
  }

  private String command(RouteMessage message, BotCommand command) {
    long tenant = message.tenant();
    return switch (command) {
      case START -> BotReplies.welcome(gateways.stateOf(tenant));
      case STATUS -> BotReplies.status(gateways.stateOf(tenant));
      case HELP -> BotReplies.HELP;
      case RESET -> {
        storage.dao(TenantDao.class).updateSessionKey(tenant, newSessionKey(), clock.instant());
        yield BotReplies.RESET;
      }
      case RESTART -> {
        gateways.restart(tenant, "requested by the user (/restart)");
        yield BotReplies.RESTART;
      }
    };
  }

  /** A fresh, unguessable conversation key for the gateway's OpenAI {@code user} field. */
  public static String newSessionKey() {
    return "s-" + UUID.randomUUID();
  }

  private String sessionKey(long tenant) {
    return storage
        .dao(TenantDao.class)
        .findById(tenant)
        .map(Tenant::sessionKey)
        .orElseThrow(() -> new PermanentTaskException("tenant " + tenant + " has no row"));
  }

  /** Where {@code message}'s answer goes (also used to decline it, see BusyTenantDecliner). */
  Replier replierFor(RouteMessage message) {
    ReplyTo to = message.replyTo();
    if (to.channel() == ReplyTo.Channel.HTTP) {
      return new HttpReplier(replies, to.replyNode(), to.correlationId(), message.tenant());
    }
    TelegramBotApi api =
        telegram.orElseThrow(
            () ->
                new PermanentTaskException(
                    "a Telegram reply is needed but this worker has no bot token"));
    return new TelegramReplier(
        api, message.chatId(), to.messageId(), limits.inlineMessages(), documents);
  }

  /** The answer stored for this update by an earlier attempt that did not deliver it. */
  private Optional<StoredAnswer> storedAnswer(RouteMessage message) {
    if (message.updateId() == null) {
      return Optional.empty();
    }
    return storage.dao(UpdateAnswerDao.class).find(message.updateId());
  }

  /** Stores the answer before it is sent: from now on this update never asks the agent again. */
  private void store(RouteMessage message, String answer) {
    if (message.updateId() != null) {
      storage.dao(UpdateAnswerDao.class).store(message.updateId(), answer, clock.instant());
    }
  }

  private Progress progress(RouteMessage message, Optional<StoredAnswer> stored) {
    if (message.updateId() == null) {
      return Progress.NONE;
    }
    long updateId = message.updateId();
    int before = stored.map(StoredAnswer::partsSent).orElse(0);
    UpdateAnswerDao answers = storage.dao(UpdateAnswerDao.class);
    return new Progress() {
      @Override
      public int partsSent() {
        return before;
      }

      @Override
      public void sent(int parts) {
        answers.partsSent(updateId, parts);
      }
    };
  }

  private boolean alreadyDone(RouteMessage message) {
    if (message.updateId() == null) {
      return false;
    }
    return storage
        .dao(ProcessedUpdateDao.class)
        .findById(message.updateId())
        .map(ProcessedUpdate::status)
        .filter(s -> s == UpdateStatus.ANSWERED || s == UpdateStatus.FAILED)
        .isPresent();
  }

  private void lastAttemptGivesUp(RouteMessage message, Replier replier, Exception e) {
    if (message.attempt() >= maxAttempts) {
      giveUp(message, replier, e);
    }
  }

  /** The gateway took longer than the chat time limit (not: could not be reached in time). */
  private static boolean chatTimedOut(GatewayException e) {
    return e.getCause() instanceof HttpTimeoutException
        && !(e.getCause() instanceof HttpConnectTimeoutException);
  }

  private void giveUp(RouteMessage message, Replier replier, Exception cause) {
    giveUp(message, replier, cause, BotReplies.FAILURE);
  }

  private void giveUp(RouteMessage message, Replier replier, Exception cause, String reply) {
    failed.mark();
    LOG.warn(
        "Message of tenant {} (update {}) not answered after attempt {}: {}; telling the user,"
            + " task goes to the dead-letter queue",
        message.tenant(),
        message.updateId(),
        message.attempt(),
        cause.toString());
    try {
      replier.failure(reply);
    } catch (RuntimeException e) {
      LOG.warn("Could not tell tenant {} about the failure: {}", message.tenant(), e.toString());
    }
    record(message, UpdateStatus.FAILED);
  }

  private void record(RouteMessage message, UpdateStatus status) {
    if (message.updateId() == null) {
      return;
    }
    ProcessedUpdateDao dao = storage.dao(ProcessedUpdateDao.class);
    if (status == UpdateStatus.ANSWERED) {
      long updateId = message.updateId();
      storage.inTransaction(
          tx -> {
            tx.dao(ProcessedUpdateDao.class).markAnswered(updateId, clock.instant());
            return tx.dao(UpdateAnswerDao.class).delete(updateId);
          });
    } else {
      dao.updateStatus(message.updateId(), status);
    }
  }
}
