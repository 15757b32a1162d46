package io.clawhive.worker.supervision;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Unauthenticated GET probes of a gateway ({@code /readyz}, {@code /healthz}). One shared
 * non-blocking HTTP client; a probe never completes exceptionally.
 */
public final class HealthProbe {

  public static final String READINESS_PATH = "/readyz";
  public static final String LIVENESS_PATH = "/healthz";
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final String LOOPBACK = "127.0.0.1";

  private final HttpClient client;
  private final Clock clock;

  public HealthProbe(Clock clock) {
    this.clock = clock;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** Probes {@code 127.0.0.1:port} (mode none, tests). */
  public CompletableFuture<ProbeResult> probe(int port, String path, Duration timeout) {
    return probe(LOOPBACK, port, path, timeout);
  }

  /**
   * Probes {@code host:port}: the gateway's namespace address in modes sandbox and user, where only
   * that instance's gateway can listen (a tenant squatting the port elsewhere is never asked).
   */
  public CompletableFuture<ProbeResult> probe(
      String host, int port, String path, Duration timeout) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
            .timeout(timeout)
            .GET()
            .build();
    long started = System.nanoTime();
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .handle(
            (response, error) -> {
              long millis = (System.nanoTime() - started) / 1_000_000;
              if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                String detail =
                    cause instanceof HttpTimeoutException
                        ? "no answer within " + timeout.toMillis() + " ms"
                        : cause.toString();
                return new ProbeResult(path, false, 0, millis, clock.instant(), detail);
              }
              int status = response.statusCode();
              return new ProbeResult(
                  path, status == 200, status, millis, clock.instant(), "HTTP " + status);
            });
  }
}
