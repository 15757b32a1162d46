package io.clawhive.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Command-line flags of the benchmark, with short defaults (≈ 1–2 minutes in all). */
record BenchOptions(
    int tenants,
    List<Integer> rates,
    boolean max,
    Duration phase,
    int senders,
    int baselineSamples,
    String amqpUri,
    String dbUrl,
    String dbUser,
    Map<String, String> overrides) {

  static final int DEFAULT_TENANTS = 20;
  static final List<Integer> DEFAULT_RATES = List.of(50, 200);
  static final Duration DEFAULT_PHASE = Duration.ofSeconds(10);
  static final int DEFAULT_SENDERS = 64;
  static final int DEFAULT_BASELINE_SAMPLES = 2_000;
  static final Duration MAX_PHASE = Duration.ofMinutes(30);

  static final String USAGE =
      """
      scripts/bench.sh [--tenants N] [--rates R1,R2,...|none] [--no-max] [--phase SECONDS]
                       [--senders N] [--baseline-samples N]
                       [--amqp amqp://user:pass@127.0.0.1:5672/%2f]
                       [--db jdbc:postgresql://127.0.0.1:5432/DB [--db-user USER]]
                       [--set config.key=value ...]
      Defaults: 20 tenants, fixed rates 50,200 updates/s then maximum, 10 s per phase,
      64 senders at maximum, embedded broker and H2. Loopback only.
      """;

  static BenchOptions parse(String[] args) {
    int tenants = DEFAULT_TENANTS;
    List<Integer> rates = DEFAULT_RATES;
    boolean max = true;
    Duration phase = DEFAULT_PHASE;
    int senders = DEFAULT_SENDERS;
    int samples = DEFAULT_BASELINE_SAMPLES;
    String amqp = "";
    String db = "";
    String dbUser = "postgres";
    Map<String, String> overrides = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--no-max")) {
        max = false;
        continue;
      }
      if (flag.equals("--help") || i + 1 >= args.length) {
        throw new IllegalArgumentException(USAGE);
      }
      String value = args[++i];
      switch (flag) {
        case "--tenants" -> tenants = positive(flag, value, 1_000);
        case "--rates" -> rates = value.equals("none") ? List.of() : rates(value);
        case "--phase" ->
            phase = Duration.ofSeconds(positive(flag, value, (int) MAX_PHASE.toSeconds()));
        case "--senders" -> senders = positive(flag, value, 1_000);
        case "--baseline-samples" -> samples = positive(flag, value, 1_000_000);
        case "--amqp" -> amqp = loopback(flag, value);
        case "--db" -> db = loopback(flag, value);
        case "--db-user" -> dbUser = value;
        case "--set" -> {
          int eq = value.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("--set needs key=value, got " + value);
          }
          overrides.put(value.substring(0, eq), value.substring(eq + 1));
        }
        default -> throw new IllegalArgumentException("unknown flag " + flag + "\n" + USAGE);
      }
    }
    return new BenchOptions(
        tenants, rates, max, phase, senders, samples, amqp, db, dbUser, Map.copyOf(overrides));
  }

  private static List<Integer> rates(String value) {
    List<Integer> out = new ArrayList<>();
    for (String part : value.split(",")) {
      out.add(positive("--rates", part.trim(), 100_000));
    }
    return List.copyOf(out);
  }

  private static int positive(String flag, String value, int max) {
    try {
      int n = Integer.parseInt(value);
      if (n < 1 || n > max) {
        throw new IllegalArgumentException(flag + " must be 1.." + max + ", got " + value);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " must be a number, got " + value);
    }
  }

  /** The benchmark only ever talks to loopback. */
  private static String loopback(String flag, String value) {
    if (!value.contains("@127.0.0.1:")
        && !value.contains("//127.0.0.1:")
        && !value.contains("@localhost:")
        && !value.contains("//localhost:")) {
      throw new IllegalArgumentException(flag + " must point at 127.0.0.1 or localhost: " + value);
    }
    return value;
  }
}
