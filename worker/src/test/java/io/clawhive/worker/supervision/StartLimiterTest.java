package io.clawhive.worker.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StartLimiterTest {

  @Test
  void refusesTheStartAfterTheBurstWithinTheWindowAndAllowsItLater() {
    MutableClock clock = new MutableClock();
    StartLimiter limiter = new StartLimiter(3, Duration.ofMinutes(10), clock);
    assertThat(limiter.tryAcquire()).isTrue();
    clock.advance(Duration.ofMinutes(1));
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
    clock.advance(Duration.ofMinutes(9));
    assertThat(limiter.tryAcquire()).as("first start left the window").isTrue();
    assertThat(limiter.tryAcquire()).isFalse();
  }

  @Test
  void policyRejectsContradictorySettings() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> SupervisionPolicy.builder().thresholds(3, 2).build())
        .hasMessageContaining("restartThreshold");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                SupervisionPolicy.builder()
                    .backoff(Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofMinutes(1))
                    .build())
        .hasMessageContaining("backoffMax");
  }
}
