package io.clawhive.worker;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.clawhive.worker.skills.SkillPolicy;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * The worker's skill policy and how much clawhub work it does at once. {@code allowlist} entries
 * are {@code slug} or {@code slug@version} (pinned); an empty allowlist allows exactly the
 * recommended skills. {@code denylist} entries are {@code slug@version}, removed wherever found.
 */
public class SkillsConfig {
  static final int DEFAULT_CONCURRENCY = 2;

  @NotNull private List<String> allowlist = List.of();

  @NotNull private List<String> denylist = List.of();

  /** Instances of this worker whose skills are installed or updated at the same time. */
  @Min(1)
  @Max(64)
  private int concurrency = DEFAULT_CONCURRENCY;

  /** The policy: the allowlist, or the recommended skills when it is empty. */
  public SkillPolicy policy(List<String> recommendedSkills) {
    List<String> allow = allowlist.isEmpty() ? recommendedSkills : allowlist;
    return SkillPolicy.parse(allow, denylist);
  }

  @AssertTrue(message = "skills.allowlist entries are slug or slug@version; denylist slug@version")
  @JsonIgnore
  public boolean isPolicyValid() {
    try {
      SkillPolicy.parse(allowlist, denylist);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @JsonProperty
  public List<String> getAllowlist() {
    return allowlist;
  }

  /** A YAML list, or one string with comma-separated entries (from an environment variable). */
  @JsonProperty
  public void setAllowlist(JsonNode node) {
    this.allowlist = WorkerConfig.words(node, "[,\\s]+");
  }

  @JsonProperty
  public List<String> getDenylist() {
    return denylist;
  }

  @JsonProperty
  public void setDenylist(JsonNode node) {
    this.denylist = WorkerConfig.words(node, "[,\\s]+");
  }

  @JsonProperty
  public int getConcurrency() {
    return concurrency;
  }

  @JsonProperty
  public void setConcurrency(int concurrency) {
    this.concurrency = concurrency;
  }

  @Override
  public String toString() {
    return "skills{allowlist="
        + allowlist
        + ", denylist="
        + denylist
        + ", concurrency="
        + concurrency
        + "}";
  }
}
