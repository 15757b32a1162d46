package io.clawhive.api.admin;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /api/v1/openapi.json}: the OpenAPI 3.1 description of the admin API, behind the admin
 * token like every other method here. It is written by hand ({@code openapi.json} beside this
 * class); {@code OpenApiDescriptionTest} keeps it true against the live resource model and live
 * answers.
 */
@Path("/v1/openapi.json")
public final class OpenApiResource {
  static final String RESOURCE = "openapi.json";

  private final String description;

  public OpenApiResource() {
    try (InputStream in = OpenApiResource.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " missing from the classpath");
      }
      this.description = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public String get() {
    return description;
  }
}
