package io.clawhive.core.storage;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Recorded skill versions per instance ({@code skill_versions}), one row per (instance, slug). */
public interface SkillVersionDao {

  String COLUMNS =
      "instance_id, slug, version, source_hash, installed_at, updated_at, last_outcome,"
          + " from_version, to_version, detail";

  /** One (slug, version) of the fleet view: how many instances have it, by last outcome. */
  record FleetCount(String slug, String version, SkillOutcome lastOutcome, int instances) {}

  /** Records {@code row} as the latest state of (instance, slug); detail cut to size. */
  default void upsert(SkillVersion row) {
    SkillVersion fitted =
        new SkillVersion(
            row.instanceId(),
            row.slug(),
            row.version(),
            row.sourceHash(),
            row.installedAt(),
            row.updatedAt(),
            row.lastOutcome(),
            row.fromVersion(),
            row.toVersion(),
            Columns.fit(row.detail(), Columns.SKILL_VERSION_DETAIL));
    if (!update(fitted)) {
      insert(fitted);
    }
  }

  @SqlUpdate(
      "UPDATE skill_versions SET version = :version, source_hash = :sourceHash,"
          + " installed_at = :installedAt, updated_at = :updatedAt, last_outcome = :lastOutcome,"
          + " from_version = :fromVersion, to_version = :toVersion, detail = :detail"
          + " WHERE instance_id = :instanceId AND slug = :slug")
  boolean update(@BindMethods SkillVersion row);

  @SqlUpdate(
      "INSERT INTO skill_versions ("
          + COLUMNS
          + ") VALUES (:instanceId, :slug, :version, :sourceHash, :installedAt, :updatedAt,"
          + " :lastOutcome, :fromVersion, :toVersion, :detail)")
  void insert(@BindMethods SkillVersion row);

  @SqlUpdate("DELETE FROM skill_versions WHERE instance_id = :instanceId AND slug = :slug")
  boolean delete(String instanceId, String slug);

  @SqlQuery(
      "SELECT " + COLUMNS + " FROM skill_versions WHERE instance_id = :instanceId ORDER BY slug")
  List<SkillVersion> listByInstance(String instanceId);

  @SqlQuery(
      "SELECT " + COLUMNS + " FROM skill_versions WHERE instance_id = :instanceId AND slug = :slug")
  Optional<SkillVersion> find(String instanceId, String slug);

  @SqlQuery(
      "SELECT slug, version, last_outcome, COUNT(*) AS instances FROM skill_versions"
          + " GROUP BY slug, version, last_outcome ORDER BY slug, version, last_outcome")
  List<FleetCount> fleetCounts();
}
