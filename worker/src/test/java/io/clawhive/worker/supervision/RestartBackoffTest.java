package io.clawhive.worker.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {

  private final MutableClock clock = new MutableClock();

  @Test
  void doublesFromTenSecondsToFiveMinutes() {
    RestartBackoff backoff =
        new RestartBackoff(
            SupervisionPolicy.DEFAULT_BACKOFF_INITIAL,
            SupervisionPolicy.DEFAULT_BACKOFF_MAX,
            SupervisionPolicy.DEFAULT_BACKOFF_RESET_AFTER,
            clock);
    assertThat(java.util.stream.IntStream.range(0, 7).mapToObj(i -> backoff.next(null).toSeconds()))
        .containsExactly(10L, 20L, 40L, 80L, 160L, 300L, 300L);
  }

  @Test
  void resetsOnlyAfterTenMinutesHealthy() {
    RestartBackoff backoff =
        new RestartBackoff(
            Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(10), clock);
    backoff.next(null);
    backoff.next(null);
    java.time.Instant healthySince = clock.instant();
    clock.advance(Duration.ofMinutes(9));
    assertThat(backoff.next(healthySince)).isEqualTo(Duration.ofSeconds(40));
    healthySince = clock.instant();
    clock.advance(Duration.ofMinutes(10));
    assertThat(backoff.next(healthySince)).isEqualTo(Duration.ofSeconds(10));
  }
}
