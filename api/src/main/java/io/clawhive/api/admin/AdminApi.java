package io.clawhive.api.admin;

import io.dropwizard.core.setup.Environment;
import io.dropwizard.core.setup.ExceptionMapperBinder;
import io.dropwizard.jersey.DropwizardResourceConfig;
import io.dropwizard.jersey.jackson.JacksonFeature;
import io.dropwizard.jersey.validation.HibernateValidationBinder;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * The admin API ({@code /api/v1/*}): a Jersey container of its own on Dropwizard's admin connector
 * (loopback by default), never on the application port that Telegram's webhook is published on.
 * Every resource method of this container is guarded by {@link AdminAuthFilter}.
 */
public final class AdminApi {
  /** Where the container is mapped on the admin port; resources' paths start below it. */
  public static final String URL_PATTERN = "/api/*";

  static final String SERVLET_NAME = "admin-api";

  private AdminApi() {}

  /**
   * A resource config with the application container's Jackson mapper, validation and exception
   * mappers, the token check on every method, and {@code resources}.
   */
  public static DropwizardResourceConfig resourceConfig(
      Environment environment,
      String adminToken,
      int authFailuresPerMinute,
      Clock clock,
      List<Object> resources) {
    DropwizardResourceConfig config = new DropwizardResourceConfig(environment.metrics());
    config.setUrlPattern(URL_PATTERN);
    config.register(new JacksonFeature(environment.getObjectMapper()));
    config.register(new HibernateValidationBinder(environment.getValidator()));
    config.register(new ExceptionMapperBinder(false));
    config.register(
        new AdminAuthFeature(
            new AdminAuthFilter(
                new AdminToken(adminToken),
                new AuthFailureLimiter(authFailuresPerMinute, clock),
                environment.metrics())));
    resources.forEach(config::register);
    return config;
  }

  /** Serves {@code config} at {@link #URL_PATTERN} on the admin port. */
  public static void install(Environment environment, DropwizardResourceConfig config) {
    environment
        .admin()
        .addServlet(SERVLET_NAME, new AddressRecordingContainer(config))
        .addMapping(URL_PATTERN);
  }

  /** Hands the caller's address to {@link AdminAuthFilter} as a request property. */
  private static final class AddressRecordingContainer extends ServletContainer {
    private static final long serialVersionUID = 1L;

    AddressRecordingContainer(DropwizardResourceConfig config) {
      super(config);
    }

    @Override
    public void service(ServletRequest request, ServletResponse response)
        throws ServletException, IOException {
      request.setAttribute(AdminAuthFilter.REMOTE_ADDRESS, request.getRemoteAddr());
      super.service(request, response);
    }
  }
}
