package io.clawhive.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.core.setup.Environment;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.client.Invocation;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.model.Resource;
import org.glassfish.jersey.server.model.ResourceMethod;
import org.glassfish.jersey.test.JerseyTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin container as {@link AdminApi#resourceConfig} builds it, with a resource the production
 * code has never heard of: every one of its methods, found by walking Jersey's resource model, is
 * refused without the token or with a wrong one, and reached with the right one.
 */
class AdminAuthFilterTest {
  private static final String TOKEN = "s3cret-admin";

  private final MutableClock clock = new MutableClock();
  private final Environment environment = new Environment("admin-auth-test");
  private final ProbeResource probe = new ProbeResource();
  private JerseyTest jersey;
  private ResourceConfig config;

  /** A resource added to the admin API that does not ask for any guard. */
  @Path("/v1/probe")
  public static final class ProbeResource {
    final AtomicInteger reached = new AtomicInteger();

    @GET
    public Map<String, Integer> get() {
      return Map.of("reached", reached.incrementAndGet());
    }

    @POST
    @Path("/{id}/poke")
    public Response poke(@PathParam("id") long id) {
      reached.incrementAndGet();
      return Response.accepted().build();
    }

    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") long id) {
      reached.incrementAndGet();
      return Response.accepted().build();
    }
  }

  private void start(String token, int failuresPerMinute) throws Exception {
    config = AdminApi.resourceConfig(environment, token, failuresPerMinute, clock, List.of(probe));
    jersey =
        new JerseyTest() {
          @Override
          protected Application configure() {
            return config;
          }
        };
    jersey.setUp();
  }

  @AfterEach
  void stop() throws Exception {
    if (jersey != null) {
      jersey.tearDown();
    }
  }

  @Test
  void everyMethodOfEveryResourceIsRefusedWithoutTheRightToken() throws Exception {
    start(TOKEN, 100_000);
    List<Endpoint> endpoints = endpoints(config);
    assertThat(endpoints)
        .extracting(Endpoint::toString)
        .contains("GET /v1/probe", "POST /v1/probe/7/poke", "DELETE /v1/probe/7");

    for (Endpoint endpoint : endpoints) {
      assertThat(call(endpoint, null).getStatus()).as("%s without token", endpoint).isEqualTo(401);
      assertThat(call(endpoint, "Bearer wrong").getStatus())
          .as("%s wrong", endpoint)
          .isEqualTo(401);
      assertThat(call(endpoint, "Basic " + TOKEN).getStatus())
          .as("%s basic", endpoint)
          .isEqualTo(401);
    }
    assertThat(probe.reached).as("no method ran").hasValue(0);
    assertThat(failures()).isEqualTo(3L * endpoints.size());

    for (Endpoint endpoint : endpoints) {
      assertThat(call(endpoint, "Bearer " + TOKEN).getStatus())
          .as("%s with the token", endpoint)
          .isBetween(200, 299);
    }
    assertThat(probe.reached).hasValue(endpoints.size());
  }

  @Test
  void withoutAConfiguredTokenEveryRequestIsForbidden() throws Exception {
    start("", 100_000);
    for (Endpoint endpoint : endpoints(config)) {
      Response response = call(endpoint, "Bearer ");
      assertThat(response.getStatus()).as("%s", endpoint).isEqualTo(403);
      assertThat(response.readEntity(String.class)).contains("set CLAWHIVE_ADMIN_TOKEN");
    }
    assertThat(probe.reached).hasValue(0);
  }

  @Test
  void aBurstOfFailuresIsAnswered429WithoutLookingAtTheToken() throws Exception {
    start(TOKEN, 3);
    Invocation.Builder wrong =
        jersey.target("/v1/probe").request().header(HttpHeaders.AUTHORIZATION, "Bearer nope");
    for (int i = 0; i < 3; i++) {
      assertThat(wrong.get().getStatus()).isEqualTo(401);
    }
    Response throttled =
        jersey
            .target("/v1/probe")
            .request()
            .header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN)
            .get();
    assertThat(throttled.getStatus()).isEqualTo(429);
    assertThat(throttled.getHeaderString(HttpHeaders.RETRY_AFTER)).isEqualTo("20");
    assertThat(probe.reached).hasValue(0);
    assertThat(failures()).isEqualTo(3);
    assertThat(environment.metrics().meter(AdminAuthFilter.THROTTLED_METRIC).getCount())
        .isEqualTo(1);

    clock.advance(Duration.ofSeconds(20));
    assertThat(
            jersey
                .target("/v1/probe")
                .request()
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + TOKEN)
                .get()
                .getStatus())
        .isEqualTo(200);
    assertThat(probe.reached).hasValue(1);
  }

  private long failures() {
    MetricRegistry metrics = environment.metrics();
    return metrics.meter(AdminAuthFilter.FAILURES_METRIC).getCount();
  }

  private Response call(Endpoint endpoint, String authorization) {
    Invocation.Builder request = jersey.target(endpoint.path()).request();
    if (authorization != null) {
      request.header(HttpHeaders.AUTHORIZATION, authorization);
    }
    return "POST".equals(endpoint.method())
        ? request.post(Entity.entity("{\"text\":\"hi\"}", MediaType.APPLICATION_JSON_TYPE))
        : request.method(endpoint.method());
  }

  public record Endpoint(String method, String path) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  /** Every resource method of the config's root resources, path parameters filled in. */
  public static List<Endpoint> endpoints(ResourceConfig config) {
    List<Endpoint> endpoints = new ArrayList<>();
    // Dropwizard's config registers a resource instance as its class plus a binder of the instance
    Set<Class<?>> classes = new LinkedHashSet<>(config.getClasses());
    config.getInstances().forEach(component -> classes.add(component.getClass()));
    for (Class<?> type : classes) {
      if (type.isAnnotationPresent(Path.class) && Resource.isAcceptable(type)) {
        walk(Resource.from(type), "", endpoints);
      }
    }
    for (Resource resource : config.getResources()) {
      walk(resource, "", endpoints);
    }
    return endpoints;
  }

  private static void walk(Resource resource, String parent, List<Endpoint> out) {
    String path = join(parent, resource.getPath());
    for (ResourceMethod method : resource.getAllMethods()) {
      out.add(new Endpoint(method.getHttpMethod(), path.replaceAll("\\{[^}]+}", "7")));
    }
    for (Resource child : resource.getChildResources()) {
      walk(child, path, out);
    }
  }

  private static String join(String parent, String path) {
    String tail = path == null ? "" : path.replaceAll("^/+|/+$", "");
    return tail.isEmpty() ? parent : parent + "/" + tail;
  }
}
