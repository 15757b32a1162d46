package io.clawhive.api.admin;

import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.HealthResult;
import io.clawhive.core.storage.HealthResultDao;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.SkillVersion;
import io.clawhive.core.storage.SkillVersionDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.core.task.DeleteInstance;
import io.clawhive.core.task.HibernateInstance;
import io.clawhive.core.task.RestartInstance;
import io.clawhive.core.task.Task;
import io.clawhive.core.task.WakeInstance;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Ops on tenants' instances under {@code /api/v1/instances} (admin token): list, get, recent
 * health, and restart / hibernate / wake / delete, which are sent as tasks to the worker that owns
 * the instance (202 with the task id; the worker applies them in order with the tenant's messages).
 */
@Path("/v1/instances")
@Produces(MediaType.APPLICATION_JSON)
public final class InstanceOpsResource {
  static final int MAX_HEALTH_RESULTS = 100;

  private final Storage storage;
  private final TaskPublisher publisher;
  private final Clock clock;

  public InstanceOpsResource(Storage storage, TaskPublisher publisher, Clock clock) {
    this.storage = storage;
    this.publisher = publisher;
    this.clock = clock;
  }

  /** An instance as ops see it: never its auth token. */
  public record InstanceView(
      String id,
      Long tenant,
      String worker,
      int port,
      String desiredState,
      String actualState,
      int restartCount,
      String failureReason,
      Instant lastStartedAt,
      Instant lastHealthyAt,
      Instant lastActiveAt,
      Instant createdAt,
      @com.fasterxml.jackson.annotation.JsonInclude(
              com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
          List<SkillVersion> skills) {
    /** Without skills (the list view). */
    static InstanceView of(Instance i) {
      return of(i, null);
    }

    /** With the skills recorded from its ClawHub lock (one instance). */
    static InstanceView of(Instance i, List<SkillVersion> skills) {
      return new InstanceView(
          i.id(),
          i.tenantId(),
          i.workerNode(),
          i.port(),
          i.desiredState().name(),
          i.actualState().name(),
          i.restartCount(),
          i.failureReason(),
          i.lastStartedAt(),
          i.lastHealthyAt(),
          i.lastActiveAt(),
          i.createdAt(),
          skills);
    }
  }

  /** Recent probes of one instance. */
  public record HealthView(InstanceView instance, List<HealthResult> recent) {}

  @GET
  public List<InstanceView> list() {
    return storage.dao(InstanceDao.class).listAll().stream().map(InstanceView::of).toList();
  }

  @GET
  @Path("/{tenant}")
  public InstanceView get(@PathParam("tenant") String tenantId) {
    Instance instance = instanceOf(TenantIds.parse(tenantId));
    return InstanceView.of(
        instance, storage.dao(SkillVersionDao.class).listByInstance(instance.id()));
  }

  @GET
  @Path("/{tenant}/health")
  public HealthView health(
      @PathParam("tenant") String tenantId, @QueryParam("limit") @DefaultValue("20") int limit) {
    long tenant = TenantIds.parse(tenantId);
    Instance instance = instanceOf(tenant);
    int bounded = Math.max(1, Math.min(limit, MAX_HEALTH_RESULTS));
    return new HealthView(
        InstanceView.of(instance),
        storage.dao(HealthResultDao.class).listRecent(instance.id(), bounded));
  }

  @POST
  @Path("/{tenant}/restart")
  public Response restart(@PathParam("tenant") String tenantId) {
    long tenant = TenantIds.parse(tenantId);
    Instance i = instanceOf(tenant);
    return send(
        i,
        RestartInstance.of(tenant, i.id(), "restart asked through the admin API", clock.instant()));
  }

  @POST
  @Path("/{tenant}/hibernate")
  public Response hibernate(@PathParam("tenant") String tenantId) {
    long tenant = TenantIds.parse(tenantId);
    Instance i = instanceOf(tenant);
    return send(i, HibernateInstance.of(tenant, i.id(), clock.instant()));
  }

  @POST
  @Path("/{tenant}/wake")
  public Response wake(@PathParam("tenant") String tenantId) {
    long tenant = TenantIds.parse(tenantId);
    Instance i = instanceOf(tenant);
    return send(i, WakeInstance.of(tenant, i.id(), clock.instant()));
  }

  @DELETE
  @Path("/{tenant}")
  public Response delete(@PathParam("tenant") String tenantId) {
    long tenant = TenantIds.parse(tenantId);
    Instance i = instanceOf(tenant);
    return send(i, DeleteInstance.of(tenant, i.id(), clock.instant()));
  }

  private Response send(Instance instance, Task task) {
    publisher.publish(instance.workerNode(), task);
    return Response.accepted(
            Map.of(
                "taskId", task.taskId().toString(),
                "type", task.type(),
                "instance", instance.id(),
                "worker", instance.workerNode()))
        .build();
  }

  private Instance instanceOf(long tenant) {
    return storage
        .dao(InstanceDao.class)
        .findByTenant(tenant)
        .orElseThrow(() -> new NotFoundException("tenant " + tenant + " has no instance"));
  }
}
