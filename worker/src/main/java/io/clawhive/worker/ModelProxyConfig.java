package io.clawhive.worker;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.clawhive.worker.modelproxy.ModelProxySettings;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDataSize;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * The worker's model proxy: where it listens on 127.0.0.1 (0 = any free port), what it bounds, and
 * the budgets of every tenant (0 = unlimited).
 */
public class ModelProxyConfig {

  @JsonProperty
  @Min(0)
  @Max(65535)
  private int port = ModelProxySettings.DEFAULT_PORT;

  @JsonProperty
  @Min(1)
  @Max(1024)
  private int threads = ModelProxySettings.DEFAULT_THREADS;

  /** Largest request body a gateway may send (larger: HTTP 413). */
  @JsonProperty
  @NotNull
  @MinDataSize(1024)
  @MaxDataSize(value = 1, unit = io.dropwizard.util.DataSizeUnit.GIBIBYTES)
  private DataSize maxRequestBody = DataSize.bytes(ModelProxySettings.DEFAULT_MAX_REQUEST_BYTES);

  /** Largest answer relayed per model call; a longer one is cut and ended cleanly. */
  @JsonProperty
  @NotNull
  @MinDataSize(1024)
  @MaxDataSize(value = 1, unit = io.dropwizard.util.DataSizeUnit.GIBIBYTES)
  private DataSize maxAnswer = DataSize.bytes(ModelProxySettings.DEFAULT_MAX_ANSWER_BYTES);

  @JsonProperty
  @NotNull
  @MinDuration(value = 100, unit = TimeUnit.MILLISECONDS)
  private Duration connectTimeout = Duration.seconds(10);

  /** Longest wait for the upstream's next bytes. */
  @JsonProperty
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration idleTimeout = Duration.minutes(5);

  /** Longest whole answer of one model call; past it the answer is cut. */
  @JsonProperty
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration turnTimeout = Duration.minutes(10);

  /** Model requests per tenant per minute; 0 = unlimited. */
  @JsonProperty
  @Min(0)
  private int requestsPerMinute = ModelProxySettings.DEFAULT_REQUESTS_PER_MINUTE;

  /** Model tokens (in + out) per tenant per UTC day; 0 = unlimited. */
  @JsonProperty
  @Min(0)
  private long tokensPerDay = ModelProxySettings.DEFAULT_TOKENS_PER_DAY;

  public int getPort() {
    return port;
  }

  public void setPort(int port) {
    this.port = port;
  }

  public void setRequestsPerMinute(int requestsPerMinute) {
    this.requestsPerMinute = requestsPerMinute;
  }

  public void setTokensPerDay(long tokensPerDay) {
    this.tokensPerDay = tokensPerDay;
  }

  public ModelProxySettings toSettings() {
    return new ModelProxySettings(
        port,
        threads,
        maxRequestBody.toBytes(),
        maxAnswer.toBytes(),
        java.time.Duration.ofMillis(connectTimeout.toMilliseconds()),
        java.time.Duration.ofMillis(idleTimeout.toMilliseconds()),
        java.time.Duration.ofMillis(turnTimeout.toMilliseconds()),
        requestsPerMinute,
        tokensPerDay);
  }

  @Override
  public String toString() {
    return "modelProxy{port="
        + port
        + ", threads="
        + threads
        + ", maxRequestBody="
        + maxRequestBody
        + ", maxAnswer="
        + maxAnswer
        + ", requestsPerMinute="
        + requestsPerMinute
        + ", tokensPerDay="
        + tokensPerDay
        + "}";
  }
}
