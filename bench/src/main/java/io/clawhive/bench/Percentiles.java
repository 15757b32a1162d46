package io.clawhive.bench;

import java.util.Arrays;

/** p50/p95/p99/max of a set of durations in nanoseconds. */
record Percentiles(int count, long p50, long p95, long p99, long max) {

  static final Percentiles NONE = new Percentiles(0, 0, 0, 0, 0);

  static Percentiles of(long[] nanos) {
    if (nanos.length == 0) {
      return NONE;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return new Percentiles(
        sorted.length,
        at(sorted, 0.50),
        at(sorted, 0.95),
        at(sorted, 0.99),
        sorted[sorted.length - 1]);
  }

  private static long at(long[] sorted, double quantile) {
    int index = (int) Math.ceil(quantile * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  /** Every value minus {@code nanos}, floored at 0. */
  static long[] minus(long[] values, long nanos) {
    return Arrays.stream(values).map(v -> Math.max(0, v - nanos)).toArray();
  }

  String millis() {
    return String.format(
        "p50 %s  p95 %s  p99 %s  max %s ms (n=%d)", ms(p50), ms(p95), ms(p99), ms(max), count);
  }

  static String ms(long nanos) {
    return String.format("%.3f", nanos / 1e6);
  }
}
