package io.clawhive.api.admin;

import io.clawhive.core.storage.Storage;
import io.clawhive.core.storage.WorkerDao;
import io.clawhive.core.storage.WorkerNode;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/** {@code /api/v1/workers}: the worker nodes and their last heartbeat. */
@Path("/v1/workers")
@Produces(MediaType.APPLICATION_JSON)
public final class WorkersResource {

  private final Storage storage;
  private final Clock clock;

  public WorkersResource(Storage storage, Clock clock) {
    this.storage = storage;
    this.clock = clock;
  }

  @GET
  public List<WorkerView> list() {
    Instant now = clock.instant();
    return storage.dao(WorkerDao.class).listAll().stream().map(w -> WorkerView.of(w, now)).toList();
  }

  /** One worker as the admin API shows it. */
  public record WorkerView(
      String nodeId,
      String host,
      String status,
      boolean alive,
      int capacity,
      int liveInstances,
      Long memoryUsedBytes,
      Long memoryTotalBytes,
      Instant startedAt,
      Instant heartbeatAt) {
    static WorkerView of(WorkerNode w, Instant now) {
      return new WorkerView(
          w.nodeId(),
          w.host(),
          w.status().name(),
          w.aliveAt(now),
          w.capacity(),
          w.liveInstances(),
          w.memoryUsedBytes(),
          w.memoryTotalBytes(),
          w.startedAt(),
          w.heartbeatAt());
    }
  }
}
