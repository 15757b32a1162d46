package io.clawhive.worker.gateway;

import java.time.Duration;

/**
 * One health probe ({@code /healthz}, {@code /readyz}). {@code httpStatus} is 0 when the gateway
 * did not answer; {@code detail} then says why (connection refused, timeout).
 */
public record ProbeResult(String path, int httpStatus, Duration latency, String detail) {

  public static final int NO_ANSWER = 0;

  public boolean ok() {
    return httpStatus == 200;
  }

  public boolean answered() {
    return httpStatus != NO_ANSWER;
  }
}
