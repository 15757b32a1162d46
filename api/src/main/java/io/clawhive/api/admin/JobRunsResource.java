package io.clawhive.api.admin;

import io.clawhive.core.storage.JobRun;
import io.clawhive.core.storage.JobRunDao;
import io.clawhive.core.storage.Storage;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code /api/v1/job-runs}: recent runs of the scheduler's jobs, newest first. */
@Path("/v1/job-runs")
@Produces(MediaType.APPLICATION_JSON)
public final class JobRunsResource {
  static final int MAX_LIMIT = 500;

  private final Storage storage;

  public JobRunsResource(Storage storage) {
    this.storage = storage;
  }

  @GET
  public List<JobRun> list(
      @QueryParam("job") String job, @QueryParam("limit") @DefaultValue("50") int limit) {
    int bounded = Math.max(1, Math.min(limit, MAX_LIMIT));
    JobRunDao runs = storage.dao(JobRunDao.class);
    return job == null || job.isBlank()
        ? runs.listRecent(bounded)
        : runs.listRecentByJob(job, bounded);
  }
}
