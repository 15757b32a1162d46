package io.clawhive.core.storage;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Skills installed per instance ({@code skill_installs}), one row per (instance, slug). */
public interface SkillInstallDao {

  String COLUMNS = "id, instance_id, slug, version, status, detail, installed_at";

  /** Records the latest outcome for (instance, slug); {@code id} is ignored, detail cut to size. */
  default void upsert(SkillInstall install) {
    SkillInstall fitted =
        new SkillInstall(
            install.id(),
            install.instanceId(),
            install.slug(),
            install.version(),
            install.status(),
            Columns.fit(install.detail(), Columns.SKILL_INSTALL_DETAIL),
            install.installedAt());
    if (!update(fitted)) {
      insert(fitted);
    }
  }

  @SqlUpdate(
      "UPDATE skill_installs SET version = :version, status = :status, detail = :detail,"
          + " installed_at = :installedAt WHERE instance_id = :instanceId AND slug = :slug")
  boolean update(@BindMethods SkillInstall install);

  @SqlUpdate(
      "INSERT INTO skill_installs (instance_id, slug, version, status, detail, installed_at)"
          + " VALUES (:instanceId, :slug, :version, :status, :detail, :installedAt)")
  void insert(@BindMethods SkillInstall install);

  @SqlQuery(
      "SELECT " + COLUMNS + " FROM skill_installs WHERE instance_id = :instanceId ORDER BY slug")
  List<SkillInstall> listByInstance(String instanceId);

  @SqlQuery(
      "SELECT " + COLUMNS + " FROM skill_installs WHERE instance_id = :instanceId AND slug = :slug")
  Optional<SkillInstall> findByInstanceAndSlug(String instanceId, String slug);
}
