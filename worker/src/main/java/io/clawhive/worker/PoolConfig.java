package io.clawhive.worker;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** The warm pool: ready, unassigned gateways a new tenant claims without a cold start. */
public class PoolConfig {
  static final int DEFAULT_SIZE = 1;

  /** Ready unassigned instances this worker keeps (each ≈ 1.5 GB while running). */
  @JsonProperty
  @Min(0)
  @Max(1_000)
  private int size = DEFAULT_SIZE;

  public int getSize() {
    return size;
  }

  public void setSize(int size) {
    this.size = size;
  }

  @Override
  public String toString() {
    return "pool{size=" + size + "}";
  }
}
