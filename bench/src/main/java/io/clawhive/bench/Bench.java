package io.clawhive.bench;

import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.worker.standin.StandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark runner (scripts/bench.sh): the real node with stand-in gateways and a fake Bot API,
 * webhook updates at fixed rates and at maximum, then the raw baselines of the same run. Prints one
 * line per phase and a Markdown table for BENCHMARKS.md.
 */
public final class Bench {

  static final Duration FIRST_REPLIES = Duration.ofMinutes(3);
  static final Duration DRAIN = Duration.ofSeconds(30);
  static final int WARM_UP_RATE = 20;
  static final Duration WARM_UP = Duration.ofSeconds(3);

  private Bench() {}

  public static void main(String[] args) throws Exception {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Path config = Path.of(System.getProperty("clawhive.config", "config.yml")).toAbsolutePath();
    Path dir = Files.createTempDirectory("clawhive-bench-");
    List<String> standIn = StandIn.program();
    Replies replies = new Replies();
    List<PhaseResult> results = new ArrayList<>();
    Percentiles amqp;
    Percentiles http;
    System.out.printf(
        "clawhive bench: %d tenants, rates %s%s, %d s per phase, %s, %s, %d cores, work dir %s%n",
        options.tenants(),
        options.rates(),
        options.max() ? " + max (" + options.senders() + " senders)" : "",
        options.phase().toSeconds(),
        options.amqpUri().isEmpty() ? "embedded broker" : "RabbitMQ",
        options.dbUrl().isEmpty() ? "H2" : "PostgreSQL",
        Runtime.getRuntime().availableProcessors(),
        dir);
    try (FakeTelegramBotApi botApi = new FakeTelegramBotApi(BenchNode.BOT_TOKEN);
        BenchNode node = new BenchNode(dir, config, options, standIn, botApi.baseUrl()).start();
        WebhookDriver driver = new WebhookDriver(node.webhookUrl(), options.tenants(), replies)) {
      botApi.onSent(replies::received);
      long bootCpu = ProcessStats.cpuNanos();
      driver.oneEach();
      awaitAnswered(replies, FIRST_REPLIES);
      System.out.printf(
          "node up, %d gateways answered their first message (CPU so far %.1f s, RSS %d MiB)%n",
          options.tenants(), bootCpu / 1e9, ProcessStats.rssMib());
      driver.fixedRate(WARM_UP_RATE, WARM_UP);
      awaitAnswered(replies, DRAIN);
      replies.drain();
      for (int rate : options.rates()) {
        results.add(
            phase(
                "rate " + rate + "/s",
                driver,
                replies,
                () -> driver.fixedRate(rate, options.phase())));
      }
      if (options.max()) {
        results.add(
            phase(
                "max " + options.senders() + " senders",
                driver,
                replies,
                () -> driver.maximum(options.senders(), options.phase())));
      }
      amqp = Baselines.amqp(node.amqpUri(), options.baselineSamples());
      http = Baselines.http(standIn, dir, options.baselineSamples());
    }
    report(options, results, amqp, http, replies);
  }

  interface Load {
    long run() throws Exception;
  }

  record PhaseResult(
      String name,
      long sent,
      long accepted,
      long refused,
      long lagged,
      long unanswered,
      double sendSeconds,
      double completeSeconds,
      long[] latencies,
      double cpuSeconds,
      long peakRssMib) {}

  private static PhaseResult phase(String name, WebhookDriver driver, Replies replies, Load load)
      throws Exception {
    driver.resetCounts();
    long cpu = ProcessStats.cpuNanos();
    long start = System.nanoTime();
    long sent = load.run();
    long sendEnd = System.nanoTime();
    awaitAnswered(replies, DRAIN);
    long lastReply = Math.max(replies.lastReplyNanos(), sendEnd);
    long[] latencies = replies.drain();
    PhaseResult result =
        new PhaseResult(
            name,
            sent,
            driver.accepted.get(),
            driver.refused.get(),
            driver.lagged.get(),
            replies.unanswered(),
            (sendEnd - start) / 1e9,
            (lastReply - start) / 1e9,
            latencies,
            (ProcessStats.cpuNanos() - cpu) / 1e9,
            ProcessStats.peakRssMib());
    System.out.printf(
        "%-20s sent %d, accepted %.0f/s, completed %.0f/s, refused %d, unanswered %d, latency %s%n",
        name,
        sent,
        result.accepted() / result.sendSeconds(),
        latencies.length / result.completeSeconds(),
        result.refused(),
        result.unanswered(),
        Percentiles.of(latencies).millis());
    return result;
  }

  private static void awaitAnswered(Replies replies, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    while (replies.unanswered() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private static void report(
      BenchOptions options,
      List<PhaseResult> results,
      Percentiles amqp,
      Percentiles http,
      Replies replies) {
    System.out.println();
    System.out.println("baseline AMQP publish+confirm→deliver→ack: " + amqp.millis());
    System.out.println("baseline HTTP round trip to a stand-in gateway: " + http.millis());
    System.out.printf(
        "duplicates %d, other messages sent by the bot %d%n",
        replies.duplicates(), replies.otherMessages());
    System.out.println();
    System.out.println(
        "| phase | sent | accepted/s | completed/s | refused | unanswered | latency p50 / p95 / p99 /"
            + " max ms | overhead p50 / p99 ms | overhead ÷ baseline p50 / p99 | CPU s (ms/update)"
            + " | peak RSS MiB |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (PhaseResult r : results) {
      Percentiles latency = Percentiles.of(r.latencies());
      // overhead: the latency minus the gateway call (the same run's HTTP round trip, p50)
      Percentiles overhead = Percentiles.of(Percentiles.minus(r.latencies(), http.p50()));
      double base50 = amqp.p50() + http.p50();
      double base99 = amqp.p99() + http.p99();
      System.out.printf(
          "| %s | %d | %.0f | %.0f | %d | %d | %s / %s / %s / %s | %s / %s | %.1f× / %.1f× | %.1f"
              + " (%.2f) | %d |%n",
          r.name(),
          r.sent(),
          r.accepted() / r.sendSeconds(),
          r.latencies().length / r.completeSeconds(),
          r.refused(),
          r.unanswered(),
          Percentiles.ms(latency.p50()),
          Percentiles.ms(latency.p95()),
          Percentiles.ms(latency.p99()),
          Percentiles.ms(latency.max()),
          Percentiles.ms(overhead.p50()),
          Percentiles.ms(overhead.p99()),
          overhead.p50() / base50,
          overhead.p99() / base99,
          r.cpuSeconds(),
          r.sent() == 0 ? 0 : r.cpuSeconds() * 1000 / r.sent(),
          r.peakRssMib());
    }
    System.out.printf(
        "%nbaseline = AMQP + HTTP at the same percentile (p50 %s + %s ms, p99 %s + %s ms)."
            + " CPU and RSS are this whole JVM (node + driver + fake Bot API), not the gateways.%n",
        Percentiles.ms(amqp.p50()),
        Percentiles.ms(http.p50()),
        Percentiles.ms(amqp.p99()),
        Percentiles.ms(http.p99()));
  }
}
