package io.clawhive.api.admin;

import io.clawhive.api.ErrorResponses;
import io.clawhive.core.storage.ModelUsage;
import io.clawhive.core.storage.ModelUsageDao;
import io.clawhive.core.storage.Storage;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * {@code /api/v1/usage}: model usage per tenant and UTC day, as the workers' model proxies recorded
 * it. {@code from}/{@code to} are ISO dates (inclusive); default the last {@value #DEFAULT_DAYS}
 * days up to today; at most {@value #MAX_DAYS} days.
 */
@Path("/v1/usage")
@Produces(MediaType.APPLICATION_JSON)
public final class UsageResource {
  static final int DEFAULT_DAYS = 7;
  static final int MAX_DAYS = 366;

  /** One tenant's usage of one day. */
  public record UsageView(
      long tenant,
      LocalDate day,
      long requests,
      long tokensIn,
      long tokensOut,
      long errors,
      long refused) {
    static UsageView of(ModelUsage u) {
      return new UsageView(
          u.tenantId(),
          u.usageDay(),
          u.requests(),
          u.tokensIn(),
          u.tokensOut(),
          u.errors(),
          u.refused());
    }
  }

  /** The answer: the range asked for and its rows (by day, then tenant). */
  public record UsageList(LocalDate from, LocalDate to, List<UsageView> usage) {}

  private record Range(LocalDate from, LocalDate to) {}

  private final Storage storage;
  private final Clock clock;

  public UsageResource(Storage storage, Clock clock) {
    this.storage = storage;
    this.clock = clock;
  }

  @GET
  public Response all(@QueryParam("from") String from, @QueryParam("to") String to) {
    return range(from, to, null);
  }

  @GET
  @Path("/{tenant}")
  public Response ofTenant(
      @PathParam("tenant") String tenant,
      @QueryParam("from") String from,
      @QueryParam("to") String to) {
    return range(from, to, TenantIds.parse(tenant));
  }

  private Response range(String fromText, String toText, Long tenant) {
    Range range;
    try {
      LocalDate to = blank(toText) ? LocalDate.now(clock.withZone(ZoneOffset.UTC)) : parse(toText);
      LocalDate from = blank(fromText) ? to.minusDays(DEFAULT_DAYS - 1) : parse(fromText);
      range = new Range(from, to);
    } catch (DateTimeParseException e) {
      return ErrorResponses.json(
          Response.Status.BAD_REQUEST, "from and to must be dates like 2026-12-03");
    }
    if (range.from().isAfter(range.to())) {
      return ErrorResponses.json(Response.Status.BAD_REQUEST, "from is after to");
    }
    if (ChronoUnit.DAYS.between(range.from(), range.to()) >= MAX_DAYS) {
      return ErrorResponses.json(
          Response.Status.BAD_REQUEST, "at most " + MAX_DAYS + " days at a time");
    }
    ModelUsageDao dao = storage.dao(ModelUsageDao.class);
    List<ModelUsage> rows =
        tenant == null
            ? dao.listBetween(range.from(), range.to())
            : dao.listOfTenantBetween(tenant, range.from(), range.to());
    return Response.ok(
            new UsageList(range.from(), range.to(), rows.stream().map(UsageView::of).toList()))
        .build();
  }

  private static boolean blank(String text) {
    return text == null || text.isBlank();
  }

  private static LocalDate parse(String text) {
    return LocalDate.parse(text.trim());
  }
}
