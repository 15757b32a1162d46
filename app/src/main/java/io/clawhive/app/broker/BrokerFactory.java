package io.clawhive.app.broker;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.concurrent.TimeUnit;

/**
 * The task bus: RabbitMQ when {@code uri} is set, otherwise an AMQP 0-9-1 broker embedded in this
 * node (Qpid Broker-J, durable store under the data directory, loopback only).
 */
public class BrokerFactory {
  /** Not 5672, so that the embedded broker never clashes with a local RabbitMQ. */
  public static final int DEFAULT_EMBEDDED_PORT = 5680;

  /**
   * Room for every task thread's tenant with a full queue (32 × (1 + 4) = 160, see the worker's
   * taskConcurrency and queuedPerTenant) and still for everyone else's next message.
   */
  static final int DEFAULT_PREFETCH = 256;

  static final int DEFAULT_MAX_ATTEMPTS = 5;
  static final Duration DEFAULT_RETRY_BACKOFF = Duration.seconds(2);
  static final Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.minutes(1);

  /** amqp:// or amqps:// URI of a RabbitMQ; blank starts the embedded broker. */
  @NotNull
  @Pattern(regexp = "|amqps?://\\S+", message = "must be blank or an amqp:// or amqps:// URI")
  private String uri = "";

  @Min(0)
  @Max(65535)
  private int embeddedPort = DEFAULT_EMBEDDED_PORT;

  /** Unacknowledged tasks a worker holds at once. */
  @Min(1)
  @Max(10_000)
  private int prefetch = DEFAULT_PREFETCH;

  /** Deliveries of one task before it goes to the dead-letter queue. */
  @Min(1)
  @Max(100)
  private int maxAttempts = DEFAULT_MAX_ATTEMPTS;

  /** Delay before the first retry; it doubles per attempt up to {@code maxRetryBackoff}. */
  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
  private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;

  @NotNull
  @MaxDuration(value = 1, unit = TimeUnit.HOURS)
  private Duration maxRetryBackoff = DEFAULT_MAX_RETRY_BACKOFF;

  @JsonProperty
  public void setUri(String uri) {
    this.uri = uri == null ? "" : uri.trim();
  }

  public String uri() {
    return uri;
  }

  public boolean embedded() {
    return uri.isEmpty();
  }

  @JsonProperty
  public int getEmbeddedPort() {
    return embeddedPort;
  }

  @JsonProperty
  public void setEmbeddedPort(int embeddedPort) {
    this.embeddedPort = embeddedPort;
  }

  @JsonProperty
  public int getPrefetch() {
    return prefetch;
  }

  @JsonProperty
  public void setPrefetch(int prefetch) {
    this.prefetch = prefetch;
  }

  @JsonProperty
  public int getMaxAttempts() {
    return maxAttempts;
  }

  @JsonProperty
  public void setMaxAttempts(int maxAttempts) {
    this.maxAttempts = maxAttempts;
  }

  @JsonProperty
  public Duration getRetryBackoff() {
    return retryBackoff;
  }

  @JsonProperty
  public void setRetryBackoff(Duration retryBackoff) {
    this.retryBackoff = retryBackoff;
  }

  @JsonProperty
  public Duration getMaxRetryBackoff() {
    return maxRetryBackoff;
  }

  @JsonProperty
  public void setMaxRetryBackoff(Duration maxRetryBackoff) {
    this.maxRetryBackoff = maxRetryBackoff;
  }

  @jakarta.validation.constraints.AssertTrue(
      message = "maxRetryBackoff must not be below retryBackoff")
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isBackoffOrdered() {
    return maxRetryBackoff.toMilliseconds() >= retryBackoff.toMilliseconds();
  }

  /** Never shows credentials inside the URI. */
  @Override
  public String toString() {
    return "broker{"
        + (embedded() ? "embedded on 127.0.0.1:" + embeddedPort : "uri=" + redact(uri))
        + ", prefetch="
        + prefetch
        + ", maxAttempts="
        + maxAttempts
        + ", retryBackoff="
        + retryBackoff
        + ".."
        + maxRetryBackoff
        + "}";
  }

  static String redact(String uri) {
    return uri.replaceFirst("//[^@/]*@", "//****@");
  }
}
