package io.clawhive.api.admin;

import io.clawhive.api.ErrorResponses;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards {@code /api/v1/*} with {@code Authorization: Bearer $CLAWHIVE_ADMIN_TOKEN}, compared in
 * constant time. Without a configured token the admin API refuses every request.
 */
@Priority(Priorities.AUTHENTICATION)
public final class AdminAuthFilter implements ContainerRequestFilter {
  static final String PATH_PREFIX = "api/v1";
  private static final String BEARER = "Bearer ";

  private final byte[] token;

  public AdminAuthFilter(String adminToken) {
    this.token = adminToken.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void filter(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    if (!path.startsWith(PATH_PREFIX) && !path.startsWith("/" + PATH_PREFIX)) {
      return;
    }
    if (token.length == 0) {
      request.abortWith(
          ErrorResponses.json(
              Response.Status.FORBIDDEN, "the admin API is disabled: set CLAWHIVE_ADMIN_TOKEN"));
      return;
    }
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.startsWith(BEARER)) {
      request.abortWith(
          ErrorResponses.json(
              Response.Status.UNAUTHORIZED, "missing 'Authorization: Bearer <admin token>'"));
      return;
    }
    byte[] given = header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(given, token)) {
      request.abortWith(ErrorResponses.json(Response.Status.UNAUTHORIZED, "wrong admin token"));
    }
  }
}
