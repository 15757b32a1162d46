package io.clawhive.api.admin;

import io.clawhive.core.storage.IgnoredUpdate;
import io.clawhive.core.storage.ProcessedUpdateDao;
import io.clawhive.core.storage.Storage;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;

/**
 * {@code /api/v1/updates/ignored}: Telegram updates recorded as IGNORED, newest first. Those that
 * could not be understood carry the reason and the first 4096 characters of their JSON; with {@code
 * unparsable=true} only those are listed.
 */
@Path("/v1/updates")
@Produces(MediaType.APPLICATION_JSON)
public final class UpdatesResource {
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;

  /** One ignored update; {@code reason} and {@code raw} are null for updates ignored by design. */
  public record IgnoredUpdateView(long updateId, String reason, Instant receivedAt, String raw) {
    static IgnoredUpdateView of(IgnoredUpdate row) {
      return new IgnoredUpdateView(row.updateId(), row.reason(), row.receivedAt(), row.rawUpdate());
    }
  }

  private final Storage storage;

  public UpdatesResource(Storage storage) {
    this.storage = storage;
  }

  @GET
  @Path("ignored")
  public List<IgnoredUpdateView> ignored(
      @QueryParam("limit") @DefaultValue("" + DEFAULT_LIMIT) int limit,
      @QueryParam("unparsable") @DefaultValue("false") boolean unparsableOnly) {
    int bounded = Math.max(1, Math.min(limit, MAX_LIMIT));
    ProcessedUpdateDao updates = storage.dao(ProcessedUpdateDao.class);
    List<IgnoredUpdate> rows =
        unparsableOnly ? updates.listUnparsable(bounded) : updates.listIgnored(bounded);
    return rows.stream().map(IgnoredUpdateView::of).toList();
  }
}
