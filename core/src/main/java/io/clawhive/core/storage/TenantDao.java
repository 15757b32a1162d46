package io.clawhive.core.storage;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Telegram users ({@code tenants}). */
public interface TenantDao {

  String COLUMNS = "id, chat_id, username, session_key, status, created_at, updated_at";

  @SqlUpdate(
      "INSERT INTO tenants ("
          + COLUMNS
          + ") VALUES"
          + " (:id, :chatId, :username, :sessionKey, :status, :createdAt, :updatedAt)")
  void insert(@BindMethods Tenant tenant);

  @SqlQuery("SELECT " + COLUMNS + " FROM tenants WHERE id = :id")
  Optional<Tenant> findById(long id);

  @SqlQuery("SELECT " + COLUMNS + " FROM tenants ORDER BY id")
  List<Tenant> listAll();

  @SqlQuery("SELECT " + COLUMNS + " FROM tenants WHERE status = :status ORDER BY id")
  List<Tenant> listByStatus(TenantStatus status);

  @SqlQuery("SELECT COUNT(*) FROM tenants WHERE status = :status")
  int countByStatus(TenantStatus status);

  @SqlUpdate("UPDATE tenants SET status = :status, updated_at = :now WHERE id = :id")
  boolean updateStatus(long id, TenantStatus status, Instant now);

  /** Records the chat and user name Telegram last reported for the tenant. */
  @SqlUpdate(
      "UPDATE tenants SET chat_id = :chatId, username = :username, updated_at = :now"
          + " WHERE id = :id")
  boolean updateProfile(long id, Long chatId, String username, Instant now);

  /** Starts a fresh conversation: the gateway keys history by the session key. */
  @SqlUpdate("UPDATE tenants SET session_key = :sessionKey, updated_at = :now WHERE id = :id")
  boolean updateSessionKey(long id, String sessionKey, Instant now);
}
