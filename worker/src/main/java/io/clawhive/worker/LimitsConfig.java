package io.clawhive.worker;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.clawhive.worker.limits.ResourceLimits;
import io.dropwizard.util.DataSize;
import io.dropwizard.validation.MinDataSize;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** Resource limits of each gateway (cgroups v2/v1, rlimits where neither is writable). */
public class LimitsConfig {

  @JsonProperty
  @NotNull
  @MinDataSize(32 * 1024 * 1024)
  private DataSize memory = DataSize.bytes(ResourceLimits.DEFAULT_MEMORY_BYTES);

  @JsonProperty
  @Min(1)
  @Max(1_000_000)
  private int pids = ResourceLimits.DEFAULT_MAX_PIDS;

  @JsonProperty
  @DecimalMin("0.01")
  @DecimalMax("1024")
  private double cpus = ResourceLimits.DEFAULT_CPU_CORES;

  public DataSize getMemory() {
    return memory;
  }

  public void setMemory(DataSize memory) {
    this.memory = memory;
  }

  public int getPids() {
    return pids;
  }

  public double getCpus() {
    return cpus;
  }

  public ResourceLimits toLimits() {
    return new ResourceLimits(memory.toBytes(), pids, cpus);
  }

  @Override
  public String toString() {
    return "limits{memory=" + memory + ", pids=" + pids + ", cpus=" + cpus + "}";
  }
}
