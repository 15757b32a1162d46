package io.clawhive.worker.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.storage.ProcessedUpdate;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.UpdateStatus;
import io.clawhive.core.task.ReplyTo;
import io.clawhive.core.task.RestartInstance;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.FakeTelegramBotApi.Sent;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.core.testing.TestDatabase;
import io.clawhive.core.testing.TestDatabases;
import java.time.Instant;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Declining records the update, tells the user once per run, and never undoes an answer. */
class BusyTenantDeclinerTest {
  private static final long TENANT = 42;

  private final TestDatabase db = TestDatabases.h2();
  private final Storage storage = db.storage();
  private final MetricRegistry metrics = new MetricRegistry();
  private final FakeTelegramBotApi telegram;
  private final BusyTenantDecliner decliner;

  BusyTenantDeclinerTest() throws Exception {
    telegram = new FakeTelegramBotApi("1:decline");
    TelegramBotApi api = new TelegramBotApi(telegram.baseUrl(), "1:decline");
    decliner =
        new BusyTenantDecliner(
            storage, m -> new TelegramReplier(api, m.chatId(), m.replyTo().messageId()), metrics);
  }

  @AfterEach
  void stop() throws Exception {
    telegram.close();
    db.close();
  }

  @Test
  void theFirstOfARunIsToldTheRestOnlyRecorded() {
    Runnable first = decliner.decline(queued(1), true);
    Runnable second = decliner.decline(queued(2), false);
    Runnable third = decliner.decline(queued(3), false);
    assertThat(telegram.sentTo(TENANT)).isEmpty(); // recorded first; told after the ack
    first.run();
    second.run();
    third.run();

    assertThat(telegram.sentTo(TENANT))
        .extracting(Sent::text, Sent::replyTo)
        .containsExactly(Tuple.tuple(BusyTenantDecliner.STILL_WORKING, 1));
    for (long id = 1; id <= 3; id++) {
      assertThat(status(id)).isEqualTo(UpdateStatus.FAILED);
    }
    assertThat(
            db.count(
                "SELECT COUNT(*) FROM processed_updates WHERE reason = '"
                    + BusyTenantDecliner.REASON
                    + "'"))
        .isEqualTo(3);
    assertThat(metrics.meter(BusyTenantDecliner.DECLINED).getCount()).isEqualTo(3);
  }

  @Test
  void aRedeliveredMessageThatWasAnsweredStaysAnsweredAndNobodyIsTold() {
    RouteMessage message = queued(7);
    storage.dao(ProcessedUpdateDao.class).markAnswered(7, Instant.now());

    decliner.decline(message, true).run();

    assertThat(status(7)).isEqualTo(UpdateStatus.ANSWERED);
    assertThat(telegram.sentTo(TENANT)).isEmpty();
    assertThat(metrics.meter(BusyTenantDecliner.DECLINED).getCount()).isZero();
  }

  @Test
  void onlyChatMessagesAreDeclinable() {
    assertThat(decliner.declinable(queued(1))).isTrue();
    assertThat(decliner.declinable(RestartInstance.of(TENANT, "i-1", "ops", Instant.now())))
        .isFalse();
  }

  private RouteMessage queued(long updateId) {
    storage
        .dao(ProcessedUpdateDao.class)
        .insertIfAbsent(
            new ProcessedUpdate(updateId, TENANT, Instant.now(), null, UpdateStatus.QUEUED, null));
    return RouteMessage.of(
        TENANT, TENANT, updateId, "m" + updateId, ReplyTo.telegram((int) updateId), Instant.now());
  }

  private UpdateStatus status(long updateId) {
    return storage.dao(ProcessedUpdateDao.class).findById(updateId).orElseThrow().status();
  }
}
