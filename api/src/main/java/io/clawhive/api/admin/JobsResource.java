package io.clawhive.api.admin;

import io.clawhive.api.ErrorResponses;
import io.clawhive.core.jobs.JobTrigger;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * {@code POST /api/v1/jobs/{name}/run}: runs a scheduled job now (202; its run shows up in {@code
 * /api/v1/job-runs}). 404 for an unknown job, 503 on a node without the scheduler role.
 */
@Path("/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
public final class JobsResource {

  private final JobTrigger jobs;

  public JobsResource(JobTrigger jobs) {
    this.jobs = jobs;
  }

  @POST
  @Path("/{name}/run")
  public Response run(@PathParam("name") String name) {
    if (jobs == JobTrigger.NONE) {
      return ErrorResponses.json(
          Response.Status.SERVICE_UNAVAILABLE,
          "this node runs no scheduler role: ask a node that does");
    }
    if (!jobs.runNow(name)) {
      return ErrorResponses.json(
          Response.Status.NOT_FOUND, "no job '" + name + "'; jobs: " + jobs.jobNames());
    }
    return Response.accepted(Map.of("job", name, "status", "started")).build();
  }
}
