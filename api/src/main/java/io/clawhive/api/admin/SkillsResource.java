package io.clawhive.api.admin;

import io.clawhive.api.ErrorResponses;
import io.clawhive.core.storage.SkillRollout;
import io.clawhive.core.storage.SkillRolloutDao;
import io.clawhive.core.storage.SkillRolloutReport;
import io.clawhive.core.storage.SkillVersionDao;
import io.clawhive.core.storage.Storage;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/skills}: the fleet's skills (slug → version → instances by last outcome, as
 * recorded from each instance's ClawHub lock); {@code GET /api/v1/skills/rollouts/latest}: the last
 * staged update with its stages and per-instance reports.
 */
@Path("/v1/skills")
@Produces(MediaType.APPLICATION_JSON)
public final class SkillsResource {

  private final Storage storage;

  public SkillsResource(Storage storage) {
    this.storage = storage;
  }

  /** One version of one skill across the fleet; {@code version} null = not installed. */
  public record VersionView(String version, int instances, Map<String, Integer> lastOutcomes) {}

  public record SkillView(String slug, int instances, List<VersionView> versions) {}

  /** One stage of a rollout: its instances by report status, and the summed counts. */
  public record StageView(
      String stage,
      int instances,
      int done,
      int notReached,
      int waiting,
      int updated,
      int upToDate,
      int skipped,
      int failed) {}

  public record RolloutView(
      long id,
      String status,
      Instant startedAt,
      Instant finishedAt,
      String detail,
      List<StageView> stages,
      List<SkillRolloutReport> reports) {}

  @GET
  public List<SkillView> fleet() {
    Map<String, Map<String, Map<String, Integer>>> bySlug = new LinkedHashMap<>();
    for (SkillVersionDao.FleetCount c : storage.dao(SkillVersionDao.class).fleetCounts()) {
      bySlug
          .computeIfAbsent(c.slug(), s -> new LinkedHashMap<>())
          .computeIfAbsent(String.valueOf(c.version()), v -> new LinkedHashMap<>())
          .merge(c.lastOutcome().name(), c.instances(), Integer::sum);
    }
    List<SkillView> skills = new ArrayList<>();
    bySlug.forEach(
        (slug, versions) -> {
          List<VersionView> views = new ArrayList<>();
          versions.forEach(
              (version, outcomes) ->
                  views.add(
                      new VersionView(
                          "null".equals(version) ? null : version,
                          outcomes.values().stream().mapToInt(Integer::intValue).sum(),
                          outcomes)));
          skills.add(
              new SkillView(slug, views.stream().mapToInt(VersionView::instances).sum(), views));
        });
    return skills;
  }

  @GET
  @Path("/rollouts/latest")
  public Response latestRollout() {
    SkillRolloutDao dao = storage.dao(SkillRolloutDao.class);
    return dao.findLatest()
        .map(r -> Response.ok(view(r, dao.listReports(r.id()))).build())
        .orElseGet(
            () -> ErrorResponses.json(Response.Status.NOT_FOUND, "no skill rollout has run yet"));
  }

  private static RolloutView view(SkillRollout rollout, List<SkillRolloutReport> reports) {
    List<StageView> stages = new ArrayList<>();
    for (SkillRolloutReport.Stage stage : SkillRolloutReport.Stage.values()) {
      List<SkillRolloutReport> of = reports.stream().filter(r -> r.stage() == stage).toList();
      if (of.isEmpty()) {
        continue;
      }
      stages.add(
          new StageView(
              stage.name(),
              of.size(),
              count(of, SkillRolloutReport.Status.DONE),
              count(of, SkillRolloutReport.Status.NOT_REACHED),
              count(of, SkillRolloutReport.Status.SENT),
              of.stream().mapToInt(SkillRolloutReport::updated).sum(),
              of.stream().mapToInt(SkillRolloutReport::upToDate).sum(),
              of.stream().mapToInt(SkillRolloutReport::skipped).sum(),
              of.stream().mapToInt(SkillRolloutReport::failed).sum()));
    }
    return new RolloutView(
        rollout.id(),
        rollout.status().name(),
        rollout.startedAt(),
        rollout.finishedAt(),
        rollout.detail(),
        stages,
        reports);
  }

  private static int count(List<SkillRolloutReport> reports, SkillRolloutReport.Status status) {
    return (int) reports.stream().filter(r -> r.status() == status).count();
  }
}
