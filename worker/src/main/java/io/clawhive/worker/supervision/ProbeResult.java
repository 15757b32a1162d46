package io.clawhive.worker.supervision;

import java.time.Instant;

/** One HTTP probe: {@code ok} means status 200 within the timeout; status 0 = no response. */
public record ProbeResult(
    String path, boolean ok, int status, long latencyMillis, Instant checkedAt, String detail) {}
