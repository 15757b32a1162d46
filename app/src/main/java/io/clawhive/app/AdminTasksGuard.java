package io.clawhive.app;

import io.clawhive.api.admin.AdminToken;
import io.dropwizard.core.setup.Environment;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumSet;

/**
 * Guards Dropwizard's state-changing admin tasks ({@code POST /tasks/*}: gc, log-level, …) on the
 * admin port with the admin token ({@code Authorization: Bearer $CLAWHIVE_ADMIN_TOKEN}, checked by
 * the admin API's {@link AdminToken}). Loopback is no boundary on a host that runs tenants' code,
 * so without a configured token the tasks are disabled. The read-only admin pages (healthcheck,
 * metrics, ping, threads) stay open.
 */
public final class AdminTasksGuard implements Filter {

  public static final String TASKS_PATTERN = "/tasks/*";

  private final AdminToken token;

  AdminTasksGuard(String adminToken) {
    this.token = new AdminToken(adminToken);
  }

  /** Registers the guard in front of the admin port's task servlet. */
  public static void install(Environment environment, String adminToken) {
    environment
        .admin()
        .addFilter("admin-tasks-guard", new AdminTasksGuard(adminToken))
        .addMappingForUrlPatterns(EnumSet.allOf(DispatcherType.class), true, TASKS_PATTERN);
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    switch (token.check(request.getHeader("Authorization"))) {
      case ACCEPTED -> chain.doFilter(req, res);
      case DISABLED ->
          refuse(
              response,
              HttpServletResponse.SC_FORBIDDEN,
              "admin tasks are disabled: set CLAWHIVE_ADMIN_TOKEN");
      case MISSING, WRONG ->
          refuse(
              response,
              HttpServletResponse.SC_UNAUTHORIZED,
              "admin tasks need 'Authorization: Bearer <admin token>'");
    }
  }

  private static void refuse(HttpServletResponse response, int status, String message)
      throws IOException {
    response.setStatus(status);
    response.setContentType("application/json");
    response.getWriter().write("{\"code\":" + status + ",\"message\":\"" + message + "\"}");
  }
}
