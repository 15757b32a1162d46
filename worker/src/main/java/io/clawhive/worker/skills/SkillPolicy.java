package io.clawhive.worker.skills;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which skills an instance may have. {@code allowed} maps each allowed slug to an optional pinned
 * version: install and update refuse any other slug, and a pinned slug is installed at (and kept
 * to) its version. {@code denied} holds {@code slug@version} entries that are removed wherever an
 * update finds them. ClawHub has had waves of malicious skills: an update is a code push into every
 * agent, so the set is explicit.
 */
public record SkillPolicy(Map<String, Optional<String>> allowed, Set<String> denied) {

  /** {@code slug} or {@code slug@version}. */
  private static final Pattern ENTRY =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}(@[A-Za-z0-9][A-Za-z0-9.+_-]{0,63})?");

  public SkillPolicy {
    allowed = Map.copyOf(allowed);
    denied = Set.copyOf(denied);
  }

  /**
   * Parses config entries: {@code allow} as {@code slug} or {@code slug@version} (pinned), {@code
   * deny} as {@code slug@version}; an invalid entry is rejected naming it.
   */
  public static SkillPolicy parse(List<String> allow, List<String> deny) {
    Map<String, Optional<String>> allowed = new LinkedHashMap<>();
    for (String entry : allow) {
      check(entry, "skills.allowlist");
      int at = entry.indexOf('@');
      allowed.put(
          at < 0 ? entry : entry.substring(0, at),
          at < 0 ? Optional.empty() : Optional.of(entry.substring(at + 1)));
    }
    for (String entry : deny) {
      check(entry, "skills.denylist");
      if (entry.indexOf('@') < 0) {
        throw new IllegalArgumentException(
            "skills.denylist entry '" + entry + "' must name a version: slug@version");
      }
    }
    return new SkillPolicy(allowed, Set.copyOf(deny));
  }

  private static void check(String entry, String field) {
    if (entry == null || !ENTRY.matcher(entry).matches()) {
      throw new IllegalArgumentException(
          field + " entry '" + entry + "' is not slug or slug@version");
    }
  }

  /** Why {@code slug} may not be installed or updated, or empty when it may. */
  public Optional<String> refusal(String slug) {
    return allowed.containsKey(slug)
        ? Optional.empty()
        : Optional.of("refused: '" + slug + "' is not on the skill allowlist");
  }

  /** The version {@code slug} is pinned to, if any. */
  public Optional<String> pin(String slug) {
    return allowed.getOrDefault(slug, Optional.empty());
  }

  public boolean denied(String slug, String version) {
    return version != null && denied.contains(slug + "@" + version);
  }
}
