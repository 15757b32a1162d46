package io.clawhive.api.admin;

import io.clawhive.core.storage.AdmissionWaitDao;
import io.clawhive.core.storage.Storage;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

/**
 * {@code /api/v1/admission}: the users waiting for a seat (cluster-wide), in line order, with how
 * many messages each has kept and since when.
 */
@Path("/v1/admission")
@Produces(MediaType.APPLICATION_JSON)
public final class AdmissionResource {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;

  /** One user in line. */
  public record WaitingView(int place, long tenant, int messages, Instant waitingSince) {}

  /** The line: totals and its first {@code limit} users. */
  public record AdmissionView(int waitingUsers, int waitingMessages, List<WaitingView> line) {}

  private final Storage storage;

  public AdmissionResource(Storage storage) {
    this.storage = storage;
  }

  @GET
  public AdmissionView line(@QueryParam("limit") @DefaultValue("" + DEFAULT_LIMIT) int limit) {
    AdmissionWaitDao waits = storage.dao(AdmissionWaitDao.class);
    List<AdmissionWaitDao.WaitingTenant> first =
        waits.listWaitingTenants(Math.max(1, Math.min(limit, MAX_LIMIT)));
    List<WaitingView> line =
        IntStream.range(0, first.size())
            .mapToObj(
                i ->
                    new WaitingView(
                        i + 1,
                        first.get(i).tenantId(),
                        first.get(i).messages(),
                        first.get(i).waitingSince()))
            .toList();
    return new AdmissionView(waits.countTenants(), waits.countAll(), line);
  }
}
