package io.clawhive.core.storage;

import static io.clawhive.core.storage.Rows.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.clawhive.core.testing.TestDatabase;
import java.time.Instant;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Stored answers (migration 007) and reopening FAILED updates, on H2 and PostgreSQL. */
@Tag("infra")
class UpdateAnswerStorageTest {

  private static final String ALL = "io.clawhive.core.testing.TestDatabases#all";

  @ParameterizedTest
  @MethodSource(ALL)
  void anAnswerIsStoredOnceKeyedByItsUpdateAndKeepsItsProgress(TestDatabase db) {
    Storage storage = db.storage();
    storage.dao(ProcessedUpdateDao.class).insertIfAbsent(ProcessedUpdate.received(10, 7L, T0));
    UpdateAnswerDao answers = storage.dao(UpdateAnswerDao.class);
    // a megabyte of text with characters outside ASCII and the BMP
    String big = "caf\u00e9 \ud83d\ude00 ".repeat(100_000) + "end";

    assertThat(answers.store(10, big, T0)).isTrue();
    assertThat(answers.store(10, "another answer", T0.plusSeconds(1)))
        .as("first one kept")
        .isFalse();
    assertThat(answers.store(11, "no such update", T0)).as("no update row").isFalse();

    assertThat(answers.find(10)).hasValueSatisfying(a -> assertThat(a.answer()).isEqualTo(big));
    assertThat(answers.find(10).orElseThrow().partsSent()).isZero();
    assertThat(answers.partsSent(10, 2)).isTrue();
    assertThat(answers.partsSent(10, 1)).as("never backwards").isFalse();
    assertThat(answers.find(10).orElseThrow().partsSent()).isEqualTo(2);
    assertThat(answers.find(11)).isEmpty();

    assertThat(answers.delete(10)).isTrue();
    assertThat(answers.find(10)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void aStoredAnswerGoesWithItsUpdate(TestDatabase db) {
    Storage storage = db.storage();
    ProcessedUpdateDao updates = storage.dao(ProcessedUpdateDao.class);
    updates.insertIfAbsent(ProcessedUpdate.received(20, 7L, T0));
    storage.dao(UpdateAnswerDao.class).store(20, "hello", T0);

    assertThat(updates.deleteReceivedBefore(T0.plusSeconds(1))).isEqualTo(1);

    assertThat(storage.dao(UpdateAnswerDao.class).find(20)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void onlyAFailedUpdateIsReopened(TestDatabase db) {
    ProcessedUpdateDao updates = db.storage().dao(ProcessedUpdateDao.class);
    updates.insertIfAbsent(ProcessedUpdate.received(30, 7L, T0));
    updates.insertIfAbsent(ProcessedUpdate.received(31, 7L, T0));
    updates.updateStatus(30, UpdateStatus.FAILED);
    updates.markAnswered(31, Instant.parse("2026-12-03T10:00:00Z"));

    assertThat(updates.reopenFailed(30)).isTrue();
    assertThat(updates.reopenFailed(31)).isFalse();
    assertThat(updates.reopenFailed(99)).isFalse();

    assertThat(updates.findById(30).orElseThrow().status()).isEqualTo(UpdateStatus.QUEUED);
    assertThat(updates.findById(31).orElseThrow().status()).isEqualTo(UpdateStatus.ANSWERED);
  }
}
