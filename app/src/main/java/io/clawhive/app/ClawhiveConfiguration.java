package io.clawhive.app;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.clawhive.api.ApiConfig;
import io.clawhive.app.broker.BrokerFactory;
import io.clawhive.app.storage.StorageFactory;
import io.clawhive.scheduler.SchedulerConfig;
import io.clawhive.worker.WorkerConfig;
import io.dropwizard.core.Configuration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.util.Set;

/** The whole node's configuration: {@code config.yml} after environment substitution. */
public class ClawhiveConfiguration extends Configuration {
  static final String DEFAULT_ROLES = "api,worker,scheduler";
  static final String DEFAULT_DATA_DIR = "./data";

  @NotNull
  @Pattern(
      regexp = "\\s*[A-Za-z]+\\s*(,\\s*[A-Za-z]+\\s*)*",
      message = "must be a comma-separated list of api, worker, scheduler")
  private String roles = DEFAULT_ROLES;

  /** This node's id; blank means host name + ":" + application port. */
  @NotNull
  @Pattern(
      regexp = "|[A-Za-z0-9._:-]{1,128}",
      message = "may only hold A-Z a-z 0-9 . _ : - (at most 128)")
  private String nodeId = "";

  @NotNull private String dataDir = DEFAULT_DATA_DIR;

  @Valid @NotNull private StorageFactory storage = new StorageFactory();

  @Valid @NotNull private BrokerFactory broker = new BrokerFactory();

  @Valid @NotNull private ApiConfig api = new ApiConfig();

  @Valid @NotNull private WorkerConfig worker = new WorkerConfig();

  @Valid @NotNull private SchedulerConfig scheduler = new SchedulerConfig();

  @JsonProperty
  public void setRoles(String roles) {
    this.roles = roles;
  }

  /** The parsed roles; valid once {@link #isRolesKnown()} holds. */
  public Set<Role> roles() {
    return Role.parseList(roles);
  }

  @AssertTrue(message = "must name only api, worker, scheduler (CLAWHIVE_ROLES)")
  @JsonIgnore
  public boolean isRolesKnown() {
    try {
      Role.parseList(roles);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @JsonProperty
  public void setNodeId(String nodeId) {
    this.nodeId = nodeId == null ? "" : nodeId.trim();
  }

  /** The configured node id, blank when it is to be derived at start. */
  public String configuredNodeId() {
    return nodeId;
  }

  @JsonProperty
  public void setDataDir(String dataDir) {
    this.dataDir = dataDir;
  }

  public Path dataDir() {
    return Path.of(dataDir).toAbsolutePath().normalize();
  }

  @JsonProperty
  public StorageFactory getStorage() {
    return storage;
  }

  @JsonProperty
  public void setStorage(StorageFactory storage) {
    this.storage = storage;
  }

  @JsonProperty
  public BrokerFactory getBroker() {
    return broker;
  }

  @JsonProperty
  public void setBroker(BrokerFactory broker) {
    this.broker = broker;
  }

  @JsonProperty
  public ApiConfig getApi() {
    return api;
  }

  @JsonProperty
  public void setApi(ApiConfig api) {
    this.api = api;
  }

  @JsonProperty
  public WorkerConfig getWorker() {
    return worker;
  }

  @JsonProperty
  public void setWorker(WorkerConfig worker) {
    this.worker = worker;
  }

  @JsonProperty
  public SchedulerConfig getScheduler() {
    return scheduler;
  }

  @JsonProperty
  public void setScheduler(SchedulerConfig scheduler) {
    this.scheduler = scheduler;
  }

  /** The effective settings, one line, secrets masked. */
  String describe(String effectiveNodeId) {
    return "node="
        + effectiveNodeId
        + " roles="
        + roles()
        + " dataDir="
        + dataDir()
        + " "
        + storage
        + " "
        + broker
        + " "
        + api
        + " "
        + worker
        + " "
        + scheduler;
  }
}
