package io.clawhive.api.admin;

import io.clawhive.api.admin.DeadLettersResource.DeadLetterView;
import io.clawhive.api.admin.InstanceOpsResource.InstanceView;
import io.clawhive.api.admin.WorkersResource.WorkerView;
import io.clawhive.core.storage.JobRun;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ops page's HTML, rendered on the server. Every value that comes from the database, the broker
 * or a request is written through {@link #escape}; the page has no script and no inline style (the
 * CSP forbids both) and reloads itself with a meta refresh.
 */
final class OpsHtml {
  static final int REFRESH_SECONDS = 10;
  private static final long MIB = 1024 * 1024;

  private OpsHtml() {}

  static String escape(Object value) {
    if (value == null) {
      return "";
    }
    String text = value.toString();
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  static String login(String message) {
    StringBuilder html = head("clawhive ops: sign in", false);
    html.append("<main class=\"login\"><h1>clawhive ops</h1>");
    if (message != null) {
      html.append("<p class=\"error\" id=\"login-error\">").append(escape(message)).append("</p>");
    }
    html.append("<form method=\"post\" action=\"/ops/login\">")
        .append("<label for=\"token\">Admin token</label>")
        .append(
            "<input type=\"password\" id=\"token\" name=\"token\" autocomplete=\"off\" required>")
        .append("<button type=\"submit\" id=\"sign-in\">Sign in</button></form></main>");
    return html.append("</body></html>").toString();
  }

  static String page(OpsSnapshot s) {
    StringBuilder html = head("clawhive ops", true);
    html.append("<header><h1>clawhive ops</h1><span id=\"read-at\">read ")
        .append(escape(s.readAt()))
        .append(", refreshes every ")
        .append(REFRESH_SECONDS)
        .append(" s</span><form method=\"post\" action=\"/ops/logout\">")
        .append("<button type=\"submit\" id=\"sign-out\">Sign out</button></form></header><main>");
    states(html, s.instancesByState());
    workers(html, s.workers(), s.readAt());
    failing(html, s.failing());
    jobRuns(html, s.jobRuns());
    deadLetters(html, s);
    skills(html, s.skills());
    html.append("<section id=\"usage\"><h2>Usage per tenant</h2><p class=\"empty\">")
        .append("not recorded by this version (no model proxy usage table)</p></section>");
    return html.append("</main></body></html>").toString();
  }

  private static StringBuilder head(String title, boolean refresh) {
    StringBuilder html =
        new StringBuilder(8192)
            .append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .append("<meta name=\"viewport\" content=\"width=device-width\">");
    if (refresh) {
      html.append("<meta http-equiv=\"refresh\" content=\"").append(REFRESH_SECONDS).append("\">");
    }
    return html.append("<title>")
        .append(escape(title))
        .append("</title><link rel=\"stylesheet\" href=\"/ops/style.css\"></head><body>");
  }

  private static void states(StringBuilder html, Map<String, Long> counts) {
    html.append("<section id=\"states\"><h2>Instances by state</h2><table><tr>");
    counts.keySet().forEach(k -> html.append("<th>").append(escape(k)).append("</th>"));
    html.append("</tr><tr>");
    counts.forEach(
        (k, v) ->
            html.append("<td id=\"state-")
                .append(escape(k.toLowerCase(Locale.ROOT)))
                .append("\">")
                .append(v)
                .append("</td>"));
    html.append("</tr></table></section>");
  }

  private static void workers(StringBuilder html, List<WorkerView> workers, Instant now) {
    html.append("<section id=\"workers\"><h2>Workers</h2>");
    if (workers.isEmpty()) {
      html.append("<p class=\"empty\">no worker has registered</p></section>");
      return;
    }
    table(html, "Node", "Host", "Status", "Alive", "Heartbeat", "Instances", "Memory used");
    for (WorkerView w : workers) {
      row(
          html,
          w.nodeId(),
          w.host(),
          w.status(),
          w.alive() ? "yes" : "NO",
          w.heartbeatAt() == null ? "never" : ago(w.heartbeatAt(), now),
          w.liveInstances() + " / " + w.capacity(),
          memory(w.memoryUsedBytes(), w.memoryTotalBytes()));
    }
    html.append("</table></section>");
  }

  private static void failing(StringBuilder html, List<InstanceView> failing) {
    html.append("<section id=\"failing\"><h2>Failing instances</h2>");
    if (failing.isEmpty()) {
      html.append("<p class=\"empty\">none</p></section>");
      return;
    }
    table(html, "Instance", "Tenant", "Worker", "State", "Restarts", "Reason");
    for (InstanceView i : failing) {
      row(
          html,
          i.id(),
          i.tenant(),
          i.worker(),
          i.actualState(),
          i.restartCount(),
          i.failureReason());
    }
    html.append("</table></section>");
  }

  private static void jobRuns(StringBuilder html, List<JobRun> runs) {
    html.append("<section id=\"job-runs\"><h2>Recent job runs</h2>");
    if (runs.isEmpty()) {
      html.append("<p class=\"empty\">no job has run yet</p></section>");
      return;
    }
    table(html, "Job", "Node", "Started", "Took", "Status", "Detail");
    for (JobRun r : runs) {
      row(
          html,
          r.jobName(),
          r.nodeId(),
          r.startedAt(),
          r.finishedAt() == null
              ? "running"
              : Duration.between(r.startedAt(), r.finishedAt()).toMillis() + " ms",
          r.status(),
          r.detail());
    }
    html.append("</table></section>");
  }

  private static void deadLetters(StringBuilder html, OpsSnapshot s) {
    html.append("<section id=\"dead-letters\"><h2>Dead letters</h2>");
    if (s.deadLetterError() != null) {
      html.append("<p class=\"error\">").append(escape(s.deadLetterError())).append("</p>");
    } else {
      html.append("<p id=\"dead-letter-total\">")
          .append(s.deadLetterTotal())
          .append(" waiting</p>");
    }
    if (!s.deadLetters().isEmpty()) {
      table(html, "Type", "Origin", "Task id", "Reason", "When");
      for (DeadLetterView d : s.deadLetters()) {
        row(html, d.taskType(), d.originNode(), d.messageId(), d.reason(), d.deadLetteredAt());
      }
      html.append("</table>");
    }
    html.append("</section>");
  }

  private static void skills(StringBuilder html, List<OpsSnapshot.SkillVersion> skills) {
    html.append("<section id=\"skills\"><h2>Skill versions</h2>");
    if (skills.isEmpty()) {
      html.append("<p class=\"empty\">no skill installed</p></section>");
      return;
    }
    table(html, "Skill", "Version", "Outcome", "Instances");
    for (OpsSnapshot.SkillVersion v : skills) {
      row(html, v.slug(), v.version(), v.status(), v.instances());
    }
    html.append("</table></section>");
  }

  private static void table(StringBuilder html, String... headers) {
    html.append("<table><tr>");
    for (String h : headers) {
      html.append("<th>").append(escape(h)).append("</th>");
    }
    html.append("</tr>");
  }

  private static void row(StringBuilder html, Object... cells) {
    html.append("<tr>");
    for (Object c : cells) {
      html.append("<td>").append(escape(c)).append("</td>");
    }
    html.append("</tr>");
  }

  private static String ago(Instant then, Instant now) {
    return Math.max(0, Duration.between(then, now).toSeconds()) + " s ago";
  }

  private static String memory(Long used, Long total) {
    if (used == null) {
      return "unknown";
    }
    return used / MIB + " MiB" + (total == null ? "" : " of " + total / MIB + " MiB");
  }
}
