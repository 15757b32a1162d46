package io.clawhive.app.ops;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metered;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Sampling;
import com.codahale.metrics.Snapshot;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The node's Dropwizard metrics in Prometheus text format (version 0.0.4) on the admin port, so a
 * Prometheus server can scrape {@code /prometheus} without an extra agent.
 */
public final class PrometheusServlet extends HttpServlet {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Pattern INVALID = Pattern.compile("[^a-zA-Z0-9_:]");

  private final transient MetricRegistry registry;

  public PrometheusServlet(MetricRegistry registry) {
    this.registry = registry;
  }

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setStatus(HttpServletResponse.SC_OK);
    response.setContentType(CONTENT_TYPE);
    response.setHeader("Cache-Control", "must-revalidate,no-cache,no-store");
    try (PrintWriter out = response.getWriter()) {
      write(out);
    }
  }

  void write(PrintWriter out) {
    for (Map.Entry<String, Gauge> e : registry.getGauges().entrySet()) {
      Object value = e.getValue().getValue();
      if (value instanceof Number number) {
        sample(out, name(e.getKey()), "gauge", number.doubleValue());
      } else if (value instanceof Boolean bool) {
        sample(out, name(e.getKey()), "gauge", bool ? 1 : 0);
      }
    }
    registry.getCounters().forEach((k, c) -> sample(out, name(k), "gauge", c.getCount()));
    registry.getMeters().forEach((k, m) -> metered(out, name(k), m));
    registry.getHistograms().forEach((k, h) -> summary(out, name(k), h, h, 1));
    registry
        .getTimers()
        .forEach(
            (k, t) -> {
              summary(out, name(k) + "_seconds", t, t, 1e-9);
              sample(out, name(k) + "_rate_1m", "gauge", t.getOneMinuteRate());
            });
  }

  private static void metered(PrintWriter out, String name, Metered meter) {
    sample(out, name + "_total", "counter", meter.getCount());
    sample(out, name + "_rate_1m", "gauge", meter.getOneMinuteRate());
  }

  private static void summary(
      PrintWriter out, String name, Sampling sampling, Counting counting, double factor) {
    Snapshot s = sampling.getSnapshot();
    out.printf(Locale.ROOT, "# TYPE %s summary%n", name);
    quantile(out, name, "0.5", s.getMedian() * factor);
    quantile(out, name, "0.75", s.get75thPercentile() * factor);
    quantile(out, name, "0.95", s.get95thPercentile() * factor);
    quantile(out, name, "0.99", s.get99thPercentile() * factor);
    quantile(out, name, "0.999", s.get999thPercentile() * factor);
    out.printf(Locale.ROOT, "%s_count %d%n", name, counting.getCount());
  }

  private static void quantile(PrintWriter out, String name, String q, double value) {
    out.printf(Locale.ROOT, "%s{quantile=\"%s\"} %s%n", name, q, format(value));
  }

  private static void sample(PrintWriter out, String name, String type, double value) {
    out.printf(Locale.ROOT, "# TYPE %s %s%n%s %s%n", name, type, name, format(value));
  }

  private static String format(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    return Double.toString(value);
  }

  static String name(String dropwizardName) {
    String name = INVALID.matcher(dropwizardName).replaceAll("_");
    return Character.isDigit(name.charAt(0)) ? "_" + name : name;
  }
}
