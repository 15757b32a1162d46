package io.clawhive.core.storage;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What each named constraint in the schema means, in words a person can act on. */
final class ConstraintCatalog {

  /**
   * One constraint. {@code meaning} is said when it is violated; for a foreign key, {@code
   * stillReferenced} is said when a referenced row is deleted instead.
   */
  record Known(
      String name, String table, List<String> columns, String meaning, String stillReferenced) {}

  private static final Map<String, Known> BY_NAME =
      Stream.of(
              unique(
                  "pk_tenants",
                  "tenants",
                  "a tenant with this Telegram user id already exists",
                  "id"),
              unique("pk_instances", "instances", "an instance with this id already exists", "id"),
              unique(
                  "uq_instances_tenant",
                  "instances",
                  "this tenant already has an instance (one instance per tenant)",
                  "tenant_id"),
              unique(
                  "uq_instances_worker_port",
                  "instances",
                  "this port is already used by another instance on this worker node"
                      + " (pick a free port)",
                  "worker_node",
                  "port"),
              new Known(
                  "fk_instances_tenant",
                  "instances",
                  List.of("tenant_id"),
                  "the instance refers to a tenant that does not exist (create the tenant first)",
                  "the tenant still has an instance (delete or release the instance first)"),
              unique(
                  "pk_workers", "workers", "a worker with this node id already exists", "node_id"),
              unique(
                  "pk_host_seats", "host_seats", "this worker has a seat row already", "node_id"),
              unique(
                  "pk_processed_updates",
                  "processed_updates",
                  "this Telegram update was already recorded",
                  "update_id"),
              unique(
                  "pk_telegram_offsets",
                  "telegram_offsets",
                  "an offset for this bot already exists",
                  "bot_id"),
              unique("pk_job_runs", "job_runs", "a job run with this id already exists", "id"),
              unique(
                  "pk_health_results",
                  "health_results",
                  "a health result with this id exists",
                  "id"),
              new Known(
                  "fk_health_results_instance",
                  "health_results",
                  List.of("instance_id"),
                  "the health result refers to an instance that does not exist",
                  "health results still refer to the instance"),
              unique(
                  "pk_skill_installs",
                  "skill_installs",
                  "a skill install with this id exists",
                  "id"),
              unique(
                  "uq_skill_installs_instance_slug",
                  "skill_installs",
                  "this skill is already recorded for the instance (update it instead)",
                  "instance_id",
                  "slug"),
              new Known(
                  "fk_skill_installs_instance",
                  "skill_installs",
                  List.of("instance_id"),
                  "the skill install refers to an instance that does not exist",
                  "skill installs still refer to the instance"),
              check(
                  "ck_tenants_status",
                  "tenants",
                  "tenant status must be one of ACTIVE, WAITLISTED, BLOCKED"),
              check(
                  "ck_instances_desired_state",
                  "instances",
                  "desired state is not a known instance state"),
              check(
                  "ck_instances_actual_state",
                  "instances",
                  "actual state is not a known instance state"),
              check("ck_instances_port", "instances", "port must be between 1 and 65535"),
              check(
                  "ck_processed_updates_status",
                  "processed_updates",
                  "update status must be one of RECEIVED, QUEUED, ANSWERED, IGNORED, FAILED"),
              check(
                  "ck_job_runs_status",
                  "job_runs",
                  "job run status must be one of RUNNING, SUCCEEDED, FAILED"),
              check(
                  "ck_skill_installs_status",
                  "skill_installs",
                  "skill install status must be INSTALLED or FAILED"))
          .collect(Collectors.toUnmodifiableMap(Known::name, Function.identity()));

  private ConstraintCatalog() {}

  static Optional<Known> find(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(BY_NAME.get(name.toLowerCase()));
  }

  /** The first catalogued constraint whose name appears in {@code text}, if any. */
  static Optional<Known> findIn(String text) {
    String lower = text.toLowerCase();
    return BY_NAME.values().stream()
        .filter(known -> lower.matches("(?s).*\\b" + known.name() + "\\b.*"))
        .findFirst();
  }

  private static Known unique(String name, String table, String meaning, String... columns) {
    return new Known(name, table, List.of(columns), meaning, null);
  }

  private static Known check(String name, String table, String meaning) {
    return new Known(name, table, List.of(), meaning, null);
  }
}
