package io.clawhive.worker.modelproxy;

import java.time.Duration;

/**
 * How the model proxy listens and what it bounds: its port on 127.0.0.1 (0 = any free port), the
 * threads serving requests, the largest request body and answer (bytes), upstream timeouts (idle =
 * longest wait for the next bytes; turn = longest whole answer), and the budgets per tenant (0 =
 * unlimited).
 */
public record ModelProxySettings(
    int port,
    int threads,
    long maxRequestBytes,
    long maxAnswerBytes,
    Duration connectTimeout,
    Duration idleTimeout,
    Duration turnTimeout,
    int requestsPerMinute,
    long tokensPerDay) {

  public static final int DEFAULT_PORT = 18780;
  public static final int DEFAULT_THREADS = 32;
  public static final long DEFAULT_MAX_REQUEST_BYTES = 4L * 1024 * 1024;
  public static final long DEFAULT_MAX_ANSWER_BYTES = 1024L * 1024;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_TURN_TIMEOUT = Duration.ofMinutes(10);
  public static final int DEFAULT_REQUESTS_PER_MINUTE = 30;
  public static final long DEFAULT_TOKENS_PER_DAY = 2_000_000;

  public ModelProxySettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1");
    }
    if (maxRequestBytes < 1024 || maxAnswerBytes < 1024) {
      throw new IllegalArgumentException("maxRequestBytes and maxAnswerBytes must be >= 1 KiB");
    }
    if (requestsPerMinute < 0 || tokensPerDay < 0) {
      throw new IllegalArgumentException("budgets must be >= 0 (0 = unlimited)");
    }
  }

  public static ModelProxySettings defaults() {
    return new ModelProxySettings(
        DEFAULT_PORT,
        DEFAULT_THREADS,
        DEFAULT_MAX_REQUEST_BYTES,
        DEFAULT_MAX_ANSWER_BYTES,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_IDLE_TIMEOUT,
        DEFAULT_TURN_TIMEOUT,
        DEFAULT_REQUESTS_PER_MINUTE,
        DEFAULT_TOKENS_PER_DAY);
  }

  public ModelProxySettings withPort(int newPort) {
    return new ModelProxySettings(
        newPort,
        threads,
        maxRequestBytes,
        maxAnswerBytes,
        connectTimeout,
        idleTimeout,
        turnTimeout,
        requestsPerMinute,
        tokensPerDay);
  }

  public ModelProxySettings withBudgets(int rpm, long tokens) {
    return new ModelProxySettings(
        port,
        threads,
        maxRequestBytes,
        maxAnswerBytes,
        connectTimeout,
        idleTimeout,
        turnTimeout,
        rpm,
        tokens);
  }

  public ModelProxySettings withMaxAnswerBytes(long bytes) {
    return new ModelProxySettings(
        port,
        threads,
        maxRequestBytes,
        bytes,
        connectTimeout,
        idleTimeout,
        turnTimeout,
        requestsPerMinute,
        tokensPerDay);
  }
}
