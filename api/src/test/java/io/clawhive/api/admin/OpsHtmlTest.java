package io.clawhive.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.clawhive.api.admin.DeadLettersResource.DeadLetterView;
import io.clawhive.api.admin.InstanceOpsResource.InstanceView;
import io.clawhive.api.admin.WorkersResource.WorkerView;
import io.clawhive.core.storage.JobRun;
import io.clawhive.core.storage.JobRunStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpsHtmlTest {
  private static final String HOSTILE = "<script>alert('x')</script>&\"<img src=x onerror=y>";
  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

  @Test
  void escapesTheFiveCharactersThatMatterInTextAndAttributes() {
    assertThat(OpsHtml.escape("<a href=\"x\">'&'</a>"))
        .isEqualTo("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    assertThat(OpsHtml.escape(null)).isEmpty();
  }

  @Test
  void everyValueFromStorageOrTheBrokerIsEscaped() {
    Map<String, Long> states = new LinkedHashMap<>();
    states.put("RUNNING", 2L);
    OpsSnapshot snapshot =
        new OpsSnapshot(
            NOW,
            List.of(
                new WorkerView(
                    HOSTILE, HOSTILE, "UP", true, 4, 1, 512L << 20, 1024L << 20, NOW, NOW)),
            states,
            List.of(
                new InstanceView(
                    HOSTILE, 42L, HOSTILE, 1, "RUNNING", "FAILED", 3, HOSTILE, null, null, null,
                    NOW, List.of())),
            List.of(new JobRun(1, HOSTILE, HOSTILE, NOW, NOW, JobRunStatus.FAILED, HOSTILE)),
            1,
            List.of(new DeadLetterView(HOSTILE, HOSTILE, HOSTILE, HOSTILE, NOW, HOSTILE)),
            null,
            List.of(new OpsSnapshot.SkillVersion(HOSTILE, HOSTILE, "INSTALLED", 2)));
    String page = OpsHtml.page(snapshot);
    assertThat(page)
        .doesNotContain("<script")
        .doesNotContain("<img")
        .doesNotContain("style=")
        .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;&lt;img")
        .contains("<meta http-equiv=\"refresh\" content=\"10\">")
        .contains("512 MiB of 1024 MiB")
        .contains("<td id=\"state-running\">2</td>");
    assertThat(OpsHtml.login(HOSTILE)).doesNotContain("<script").contains("&lt;script&gt;");
    assertThat(OpsHtml.login(null)).doesNotContain("login-error").doesNotContain("refresh");
  }
}
