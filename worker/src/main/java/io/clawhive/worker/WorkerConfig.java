package io.clawhive.worker;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** Settings of the worker role: where the gateway runtime lives and what the gateways use. */
public class WorkerConfig {
  static final String DEFAULT_RUNTIME_DIR = "./runtime";
  static final int DEFAULT_CAPACITY = 8;
  static final int DEFAULT_TASK_CONCURRENCY = 8;

  @NotNull private String runtimeDir = DEFAULT_RUNTIME_DIR;

  /** How many live gateways this host may run (≈ 1.5 GB each). */
  @Min(1)
  @Max(10_000)
  private int capacity = DEFAULT_CAPACITY;

  /** Tasks of different tenants handled at once. */
  @Min(1)
  @Max(256)
  private int taskConcurrency = DEFAULT_TASK_CONCURRENCY;

  @Valid @NotNull private ModelProviderConfig model = new ModelProviderConfig();

  /** ClawHub registry URL for skills; blank means clawhub's own default. */
  @NotNull private String clawhubRegistry = "";

  @JsonProperty
  public String getRuntimeDir() {
    return runtimeDir;
  }

  @JsonProperty
  public void setRuntimeDir(String runtimeDir) {
    this.runtimeDir = runtimeDir;
  }

  @JsonProperty
  public int getCapacity() {
    return capacity;
  }

  @JsonProperty
  public void setCapacity(int capacity) {
    this.capacity = capacity;
  }

  @JsonProperty
  public int getTaskConcurrency() {
    return taskConcurrency;
  }

  @JsonProperty
  public void setTaskConcurrency(int taskConcurrency) {
    this.taskConcurrency = taskConcurrency;
  }

  @JsonProperty
  public ModelProviderConfig getModel() {
    return model;
  }

  @JsonProperty
  public void setModel(ModelProviderConfig model) {
    this.model = model;
  }

  @JsonProperty
  public String getClawhubRegistry() {
    return clawhubRegistry;
  }

  @JsonProperty
  public void setClawhubRegistry(String clawhubRegistry) {
    this.clawhubRegistry = clawhubRegistry == null ? "" : clawhubRegistry.trim();
  }

  @Override
  public String toString() {
    return "worker{runtimeDir="
        + runtimeDir
        + ", capacity="
        + capacity
        + ", taskConcurrency="
        + taskConcurrency
        + ", "
        + model
        + ", clawhubRegistry="
        + (clawhubRegistry.isEmpty() ? "<clawhub default>" : clawhubRegistry)
        + "}";
  }
}
