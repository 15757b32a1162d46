package io.clawhive.api.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The admin token ({@code CLAWHIVE_ADMIN_TOKEN}) and the one check of an {@code Authorization:
 * Bearer ...} header against it, in constant time. Shared by the admin API and the guard of
 * Dropwizard's admin tasks. Without a configured token every header is refused.
 */
public final class AdminToken {
  private static final String BEARER = "Bearer ";

  /** What a header amounts to; only {@link #ACCEPTED} lets a request through. */
  public enum Verdict {
    ACCEPTED,
    /** No token is configured: the guarded part is disabled. */
    DISABLED,
    MISSING,
    WRONG
  }

  private final byte[] token;

  public AdminToken(String adminToken) {
    this.token = (adminToken == null ? "" : adminToken).getBytes(StandardCharsets.UTF_8);
  }

  /** Judges an {@code Authorization} header value (may be null). */
  public Verdict check(String authorizationHeader) {
    if (token.length == 0) {
      return Verdict.DISABLED;
    }
    if (authorizationHeader == null || !authorizationHeader.startsWith(BEARER)) {
      return Verdict.MISSING;
    }
    byte[] given =
        authorizationHeader.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token) ? Verdict.ACCEPTED : Verdict.WRONG;
  }
}
