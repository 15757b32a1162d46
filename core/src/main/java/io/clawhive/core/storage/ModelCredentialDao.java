package io.clawhive.core.storage;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Model proxy credentials ({@code model_credentials}), one per instance, kept as SHA-256 hex only.
 * The row goes with its instance ({@code ON DELETE CASCADE}).
 */
public interface ModelCredentialDao {

  /** Replaces the instance's credential (a new one revokes the old). */
  default void replace(String instanceId, String credentialHash, Instant now) {
    if (!update(instanceId, credentialHash, now)) {
      insert(instanceId, credentialHash, now);
    }
  }

  @SqlUpdate(
      "UPDATE model_credentials SET credential_hash = :credentialHash, created_at = :now"
          + " WHERE instance_id = :instanceId")
  boolean update(String instanceId, String credentialHash, Instant now);

  @SqlUpdate(
      "INSERT INTO model_credentials (instance_id, credential_hash, created_at)"
          + " VALUES (:instanceId, :credentialHash, :now)")
  void insert(String instanceId, String credentialHash, Instant now);

  /** The instance (and its tenant now) holding the credential with this hash. */
  @SqlQuery(
      "SELECT c.instance_id, i.tenant_id FROM model_credentials c"
          + " JOIN instances i ON i.id = c.instance_id WHERE c.credential_hash = :credentialHash")
  Optional<ModelCredentialHolder> findHolder(String credentialHash);

  @SqlQuery("SELECT COUNT(*) > 0 FROM model_credentials WHERE instance_id = :instanceId")
  boolean exists(String instanceId);

  @SqlUpdate("DELETE FROM model_credentials WHERE instance_id = :instanceId")
  boolean delete(String instanceId);
}
