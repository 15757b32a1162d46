package io.clawhive.api.admin;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.clawhive.core.broker.DeadLetters;
import io.clawhive.core.storage.Storage;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only ops page on the admin port ({@code /ops}). Signing in posts the admin token once
 * from a form; the answer is a session cookie (HttpOnly, SameSite=Strict, path {@code /ops}) that
 * holds a random id, never the token. Failed sign-ins are counted, logged without the token and
 * slowed down per address like the admin API's. Every answer carries a strict CSP and no-store.
 */
public final class OpsPageServlet extends HttpServlet {
  public static final String PATH = "/ops";
  static final String COOKIE = "clawhive_ops";
  static final String CSP =
      "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
          + " frame-ancestors 'none'; base-uri 'none'";
  static final String LOGIN_FAILURES_METRIC = "api.ops.login.failures";
  static final int MAX_FORM_BYTES = 4096;
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(OpsPageServlet.class);

  private final transient Storage storage;
  private final transient DeadLetters deadLetters;
  private final transient AdminToken token;
  private final transient AuthFailureLimiter limiter;
  private final transient OpsSessions sessions;
  private final transient Meter loginFailures;
  private final transient Clock clock;
  private final byte[] css;

  public OpsPageServlet(
      Storage storage,
      DeadLetters deadLetters,
      String adminToken,
      int authFailuresPerMinute,
      MetricRegistry metrics,
      Clock clock) {
    this.storage = storage;
    this.deadLetters = deadLetters;
    this.token = new AdminToken(adminToken);
    this.limiter = new AuthFailureLimiter(authFailuresPerMinute, clock);
    this.sessions = new OpsSessions(clock);
    this.loginFailures = metrics.meter(LOGIN_FAILURES_METRIC);
    this.clock = clock;
    this.css = readCss();
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    secure(response);
    String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
    switch (path) {
      case "/style.css" -> {
        response.setContentType("text/css; charset=utf-8");
        response.getOutputStream().write(css);
      }
      case "/" -> {
        if (sessions.valid(sessionId(request))) {
          html(response, HttpServletResponse.SC_OK, OpsHtml.page(snapshot()));
        } else {
          html(response, HttpServletResponse.SC_OK, OpsHtml.login(null));
        }
      }
      default -> response.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
  }

  @Override
  protected void doPost(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    secure(response);
    String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
    switch (path) {
      case "/login" -> login(request, response);
      case "/logout" -> {
        sessions.close(sessionId(request));
        response.addHeader("Set-Cookie", cookie("", 0));
        response.setHeader("Location", PATH + "/");
        response.setStatus(HttpServletResponse.SC_SEE_OTHER);
      }
      default -> response.sendError(HttpServletResponse.SC_NOT_FOUND);
    }
  }

  private void login(HttpServletRequest request, HttpServletResponse response) throws IOException {
    String address = request.getRemoteAddr();
    Optional<Duration> wait = limiter.retryAfter(address);
    if (wait.isPresent()) {
      response.setHeader("Retry-After", Long.toString(Math.max(1, wait.get().toSeconds())));
      html(response, 429, OpsHtml.login("Too many failed sign-ins; try again later."));
      return;
    }
    if (request.getContentLengthLong() > MAX_FORM_BYTES) {
      html(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, OpsHtml.login("Too long."));
      return;
    }
    String given = request.getParameter("token");
    AdminToken.Verdict verdict = token.check(given == null ? null : "Bearer " + given);
    if (verdict != AdminToken.Verdict.ACCEPTED) {
      loginFailures.mark();
      limiter.recordFailure(address);
      LOG.warn("ops page sign-in failed ({}) from {}", verdict, address);
      String message =
          verdict == AdminToken.Verdict.DISABLED
              ? "The ops page is disabled: set CLAWHIVE_ADMIN_TOKEN."
              : "Wrong admin token.";
      html(response, HttpServletResponse.SC_UNAUTHORIZED, OpsHtml.login(message));
      return;
    }
    response.addHeader("Set-Cookie", cookie(sessions.open(), OpsSessions.TTL.toSeconds()));
    response.setHeader("Location", PATH + "/");
    response.setStatus(HttpServletResponse.SC_SEE_OTHER);
  }

  private OpsSnapshot snapshot() {
    return OpsSnapshot.read(storage, deadLetters, clock);
  }

  private static String cookie(String value, long maxAgeSeconds) {
    return COOKIE
        + "="
        + value
        + "; Path="
        + PATH
        + "; Max-Age="
        + maxAgeSeconds
        + "; HttpOnly; SameSite=Strict";
  }

  private static String sessionId(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return null;
    }
    for (Cookie c : cookies) {
      if (COOKIE.equals(c.getName())) {
        return c.getValue();
      }
    }
    return null;
  }

  private static void secure(HttpServletResponse response) {
    response.setHeader("Content-Security-Policy", CSP);
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("Referrer-Policy", "no-referrer");
    response.setHeader("Cache-Control", "no-store");
  }

  private static void html(HttpServletResponse response, int status, String body)
      throws IOException {
    response.setStatus(status);
    response.setContentType("text/html; charset=utf-8");
    response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] readCss() {
    try (InputStream in = OpsPageServlet.class.getResourceAsStream("ops.css")) {
      if (in == null) {
        throw new IllegalStateException("ops.css missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read ops.css", e);
    }
  }
}
