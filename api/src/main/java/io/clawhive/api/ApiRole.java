package io.clawhive.api;

import io.clawhive.api.admin.AdminAuthFilter;
import io.clawhive.api.admin.WorkersResource;
import io.clawhive.core.broker.TaskPublisher;
import io.clawhive.core.storage.Storage;
import io.dropwizard.core.setup.Environment;
import java.time.Clock;

/** Wires the api role into a node: the admin API under {@code /api/v1} behind its token. */
public final class ApiRole {
  private ApiRole() {}

  public static void install(
      Environment environment, ApiConfig config, Storage storage, TaskPublisher publisher) {
    environment.jersey().register(new AdminAuthFilter(config.adminToken()));
    environment.jersey().register(new WorkersResource(storage, Clock.systemUTC()));
  }
}
