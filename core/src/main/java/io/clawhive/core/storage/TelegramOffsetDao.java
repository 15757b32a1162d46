package io.clawhive.core.storage;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The next {@code getUpdates} offset per bot ({@code telegram_offsets}); one poller per bot. */
public interface TelegramOffsetDao {

  @SqlQuery("SELECT next_offset FROM telegram_offsets WHERE bot_id = :botId")
  Optional<Long> findNextOffset(String botId);

  default void upsert(String botId, long nextOffset, Instant now) {
    if (!update(botId, nextOffset, now)) {
      insert(botId, nextOffset, now);
    }
  }

  @SqlUpdate(
      "UPDATE telegram_offsets SET next_offset = :nextOffset, updated_at = :now"
          + " WHERE bot_id = :botId")
  boolean update(String botId, long nextOffset, Instant now);

  @SqlUpdate(
      "INSERT INTO telegram_offsets (bot_id, next_offset, updated_at)"
          + " VALUES (:botId, :nextOffset, :now)")
  void insert(String botId, long nextOffset, Instant now);
}
