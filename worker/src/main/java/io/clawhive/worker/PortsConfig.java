package io.clawhive.worker;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.clawhive.worker.instance.PortAllocator;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Gateway base ports on loopback: {@code [first, last]} in steps of {@code stride} (OpenClaw
 * derives further ports from its base port, so bases are at least 20 apart).
 */
public class PortsConfig {

  @JsonProperty
  @Min(1024)
  @Max(65_535)
  private int first = PortAllocator.DEFAULT_FIRST_PORT;

  @JsonProperty
  @Min(1024)
  @Max(65_535)
  private int last = PortAllocator.DEFAULT_LAST_PORT;

  @JsonProperty
  @Min(PortAllocator.MIN_STRIDE)
  @Max(10_000)
  private int stride = PortAllocator.DEFAULT_STRIDE;

  public int getFirst() {
    return first;
  }

  public int getLast() {
    return last;
  }

  public int getStride() {
    return stride;
  }

  public void setFirst(int first) {
    this.first = first;
  }

  public void setLast(int last) {
    this.last = last;
  }

  public void setStride(int stride) {
    this.stride = stride;
  }

  @JsonIgnore
  @AssertTrue(message = "ports.first must not be greater than ports.last")
  public boolean isOrdered() {
    return first <= last;
  }

  public PortAllocator allocator() {
    return new PortAllocator(first, last, stride);
  }

  @Override
  public String toString() {
    return "ports{" + first + ".." + last + " stride " + stride + "}";
  }
}
