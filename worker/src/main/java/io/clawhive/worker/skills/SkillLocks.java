package io.clawhive.worker.skills;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.process.TenantFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads a workspace's ClawHub lock ({@code .clawhub/lock.json}) and each skill's origin file AS THE
 * TENANT (through the instance's wrapper) and without following symbolic links: the files are the
 * tenant's, and root never opens a path the tenant controls.
 */
final class SkillLocks {

  /** A bigger file is not parsed. */
  static final int MAX_FILE_BYTES = 32 * 1024;

  static final String ORIGIN_FILE = ".clawhub/origin.json";

  private static final Pattern SAFE_SLUG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final ObjectMapper JSON = new ObjectMapper();

  private SkillLocks() {}

  /** Every skill of the lock by slug (empty when there is no readable lock). */
  static Map<String, LockedSkill> read(
      Path workdir, CommandWrapper wrapper, Map<String, String> env) {
    Map<String, LockedSkill> skills = new LinkedHashMap<>();
    Optional<String> lock =
        TenantFiles.readNoFollow(
            wrapper, env, workdir, workdir.resolve(SkillInstaller.LOCK_FILE), MAX_FILE_BYTES);
    if (lock.isEmpty()) {
      return skills;
    }
    JsonNode entries;
    try {
      entries = JSON.readTree(lock.get()).path("skills");
    } catch (IOException e) {
      return skills;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = entries.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String slug = entry.getKey();
      JsonNode version = entry.getValue().path("version");
      if (!SAFE_SLUG.matcher(slug).matches() || !version.isTextual()) {
        continue;
      }
      JsonNode installedAt = entry.getValue().path("installedAt");
      skills.put(
          slug,
          new LockedSkill(
              slug,
              version.asText(),
              installedAt.canConvertToLong()
                  ? Optional.of(Instant.ofEpochMilli(installedAt.asLong()))
                  : Optional.empty(),
              fingerprint(workdir, slug, wrapper, env)));
    }
    return skills;
  }

  private static Optional<String> fingerprint(
      Path workdir, String slug, CommandWrapper wrapper, Map<String, String> env) {
    Path origin = workdir.resolve(SkillInstaller.SKILLS_DIR).resolve(slug).resolve(ORIGIN_FILE);
    Optional<String> text = TenantFiles.readNoFollow(wrapper, env, workdir, origin, MAX_FILE_BYTES);
    try {
      JsonNode fingerprint = text.isEmpty() ? null : JSON.readTree(text.get()).path("fingerprint");
      return fingerprint != null && fingerprint.isTextual()
          ? Optional.of(fingerprint.asText())
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
