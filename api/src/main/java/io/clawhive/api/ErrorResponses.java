package io.clawhive.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** The one shape of an error answer on the API port: {@code {"code": 401, "message": "..."}}. */
public final class ErrorResponses {
  private ErrorResponses() {}

  /** A JSON error response with {@code status} and a message for the caller. */
  public static Response json(Response.Status status, String message) {
    return Response.status(status)
        .type(MediaType.APPLICATION_JSON_TYPE)
        .entity(Map.of("code", status.getStatusCode(), "message", message))
        .build();
  }
}
