package io.clawhive.api.admin;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.clawhive.api.ErrorResponses;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a request reach an admin resource method only with {@code Authorization: Bearer
 * $CLAWHIVE_ADMIN_TOKEN}. It is bound to the methods themselves by {@link AdminAuthFeature}, never
 * to the spelling of a URL. Failures are counted and logged (never with the token); an address with
 * too many recent failures gets 429 without its token being checked.
 */
@Priority(Priorities.AUTHENTICATION)
final class AdminAuthFilter implements ContainerRequestFilter {
  static final String FAILURES_METRIC = "api.admin.auth.failures";
  static final String THROTTLED_METRIC = "api.admin.auth.throttled";
  private static final Logger LOG = LoggerFactory.getLogger(AdminAuthFilter.class);
  private static final String UNKNOWN_ADDRESS = "unknown";

  /**
   * Request property (a servlet request attribute in a servlet container) with the caller's
   * address, set by {@link AdminApi}'s servlet before Jersey sees the request.
   */
  static final String REMOTE_ADDRESS = AdminAuthFilter.class.getName() + ".remoteAddress";

  private final AdminToken token;
  private final AuthFailureLimiter limiter;
  private final Meter failures;
  private final Meter throttled;

  AdminAuthFilter(AdminToken token, AuthFailureLimiter limiter, MetricRegistry metrics) {
    this.token = token;
    this.limiter = limiter;
    this.failures = metrics.meter(FAILURES_METRIC);
    this.throttled = metrics.meter(THROTTLED_METRIC);
  }

  @Override
  public void filter(ContainerRequestContext request) {
    Object remote = request.getProperty(REMOTE_ADDRESS);
    String address = remote == null ? UNKNOWN_ADDRESS : remote.toString();
    Optional<Duration> wait = limiter.retryAfter(address);
    if (wait.isPresent()) {
      throttled.mark();
      long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
      request.abortWith(
          Response.fromResponse(
                  ErrorResponses.json(
                      Response.Status.TOO_MANY_REQUESTS,
                      "too many failed admin authentications from this address; retry in "
                          + seconds
                          + " s"))
              .header(HttpHeaders.RETRY_AFTER, seconds)
              .build());
      return;
    }
    AdminToken.Verdict verdict = token.check(request.getHeaderString(HttpHeaders.AUTHORIZATION));
    if (verdict == AdminToken.Verdict.ACCEPTED) {
      return;
    }
    failures.mark();
    limiter.recordFailure(address);
    LOG.warn(
        "admin API authentication failed ({}) from {}: {} {}",
        verdict,
        address,
        request.getMethod(),
        request.getUriInfo().getRequestUri().getRawPath());
    request.abortWith(refusal(verdict));
  }

  private static Response refusal(AdminToken.Verdict verdict) {
    return switch (verdict) {
      case DISABLED ->
          ErrorResponses.json(
              Response.Status.FORBIDDEN, "the admin API is disabled: set CLAWHIVE_ADMIN_TOKEN");
      case MISSING ->
          ErrorResponses.json(
              Response.Status.UNAUTHORIZED, "missing 'Authorization: Bearer <admin token>'");
      default -> ErrorResponses.json(Response.Status.UNAUTHORIZED, "wrong admin token");
    };
  }
}
