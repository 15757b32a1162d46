package io.clawhive.api.telegram;

import io.clawhive.api.AccessConfig;
import io.clawhive.core.storage.ProcessedUpdate;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.Tenant;
import io.clawhive.core.storage.TenantStatus;
import io.clawhive.core.storage.UpdateStatus;
import io.clawhive.core.task.ReplyTo;
import io.clawhive.core.task.RouteMessage;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.api.objects.message.Message;

/**
 * One Telegram update in, at most one route task out. Dedupes by {@code update_id} in storage,
 * applies access control and rate limits, and returns only once the route task is confirmed by the
 * broker (or the update is settled otherwise). A failure to publish throws: the caller (webhook or
 * poller) must not acknowledge the update, and handling it again is safe.
 *
 * <p>Behaviour by kind: private text messages (commands included) go to the tenant's worker;
 * private non-text messages (stickers, photos, voice, …) get a polite "text only" reply; messages
 * in groups, supergroups and channels, messages from bots, edits, callbacks, inline queries and
 * every other update kind are ignored (recorded as IGNORED, no reply).
 *
 * <p>Replies of the front door are settled first and then handed to the {@link NoticeSender}, which
 * sends them on its own thread: handling an update never waits on an outgoing Telegram call. People
 * who are not served (invite-only, waitlist, a single-tenant seat taken) hear so at most once per
 * period; every other notice is bounded by the chat's notice budget.
 */
public final class TelegramIngress {
  private static final Logger LOG = LoggerFactory.getLogger(TelegramIngress.class);

  /** What became of one update. */
  public enum Outcome {
    QUEUED,
    DUPLICATE,
    IGNORED,
    REPLIED
  }

  private final Storage storage;
  private final TenantRouter router;
  private final NoticeSender notices;
  private final Set<Long> allowlist;
  private final Set<String> invites;
  private final TokenBuckets rateLimits;
  private final Clock clock;

  public TelegramIngress(
      Storage storage,
      TenantRouter router,
      NoticeSender notices,
      AccessConfig access,
      Clock clock) {
    this.storage = storage;
    this.router = router;
    this.notices = notices;
    this.allowlist = access.allowedUsers();
    this.invites = access.invites();
    this.rateLimits =
        new TokenBuckets(access.getRateLimitPerMinute(), access.getRateLimitBurst(), clock);
    this.clock = clock;
  }

  public Outcome handle(Update update) {
    long updateId = update.getUpdateId();
    Message message = update.getMessage();
    Long user = message != null && message.getFrom() != null ? message.getFrom().getId() : null;
    ProcessedUpdateDao updates = storage.dao(ProcessedUpdateDao.class);
    if (!updates.insertIfAbsent(ProcessedUpdate.received(updateId, user, clock.instant()))) {
      Optional<ProcessedUpdate> seen = updates.findById(updateId);
      if (seen.isPresent() && seen.get().status() != UpdateStatus.RECEIVED) {
        return Outcome.DUPLICATE;
      }
      // RECEIVED: an earlier try stopped before the task was confirmed; finish it now
    }
    if (message == null
        || user == null
        || !message.getChat().isUserChat()
        || Boolean.TRUE.equals(message.getFrom().getIsBot())) {
      return settle(updateId, Outcome.IGNORED);
    }
    if (!message.hasText()) {
      return reply(updateId, message, PoliteReplies.TEXT_ONLY);
    }
    return handleText(updateId, user, message);
  }

  private Outcome handleText(long updateId, long user, Message message) {
    String text = message.getText();
    Optional<Tenant> known = router.find(user);
    if (known.map(t -> t.status() == TenantStatus.BLOCKED).orElse(false)) {
      return settle(updateId, Outcome.IGNORED);
    }
    if (known.isEmpty() && !mayJoin(user, text)) {
      return replyOncePerPeriod(updateId, user, message, PoliteReplies.INVITE_ONLY);
    }
    Tenant tenant = router.admit(user, message.getChatId(), message.getFrom().getUserName(), true);
    if (tenant.status() == TenantStatus.WAITLISTED) {
      return replyOncePerPeriod(updateId, user, message, PoliteReplies.WAITLISTED);
    }
    TokenBuckets.Verdict verdict = rateLimits.take(user);
    if (verdict == TokenBuckets.Verdict.REFUSED_FIRST) {
      return reply(updateId, message, PoliteReplies.SLOW_DOWN);
    }
    if (verdict == TokenBuckets.Verdict.REFUSED_AGAIN) {
      return settle(updateId, Outcome.IGNORED);
    }
    RouteMessage task =
        RouteMessage.of(
            user,
            message.getChatId(),
            (long) updateId,
            text,
            ReplyTo.telegram(message.getMessageId()),
            clock.instant());
    try {
      router.route(task);
    } catch (Placement.SeatTakenException e) {
      LOG.info("user {} not served: {}", user, e.getMessage());
      return replyOncePerPeriod(updateId, user, message, PoliteReplies.ONE_PERSON);
    }
    storage.dao(ProcessedUpdateDao.class).markQueued(updateId, task.taskId().toString());
    return Outcome.QUEUED;
  }

  private boolean mayJoin(long user, String text) {
    if (allowlist.isEmpty() && invites.isEmpty()) {
      return true;
    }
    if (allowlist.contains(user)) {
      return true;
    }
    String[] words = text.trim().split("\\s+");
    return words.length == 2
        && (words[0].equals("/start") || words[0].startsWith("/start@"))
        && invites.contains(words[1]);
  }

  /** Settles the update, then queues the notice (never waits for Telegram). */
  private Outcome reply(long updateId, Message message, String text) {
    settle(updateId, Outcome.IGNORED);
    boolean queued = notices.tell(message.getChatId(), text, message.getMessageId());
    return queued ? Outcome.REPLIED : Outcome.IGNORED;
  }

  /** Like {@link #reply}, but {@code user} is told at most once per the strangers' period. */
  private Outcome replyOncePerPeriod(long updateId, long user, Message message, String text) {
    settle(updateId, Outcome.IGNORED);
    boolean queued =
        notices.tellOncePerPeriod(user, message.getChatId(), text, message.getMessageId());
    return queued ? Outcome.REPLIED : Outcome.IGNORED;
  }

  private Outcome settle(long updateId, Outcome outcome) {
    storage.dao(ProcessedUpdateDao.class).updateStatus(updateId, UpdateStatus.IGNORED);
    return outcome;
  }
}
