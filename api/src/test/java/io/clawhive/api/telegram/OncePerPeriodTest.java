package io.clawhive.api.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class OncePerPeriodTest {

  /** A clock the test moves. */
  private static final class MovableClock extends Clock {
    Instant now = Instant.parse("2026-12-03T12:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void oneNoticePerUserPerPeriod() {
    MovableClock clock = new MovableClock();
    OncePerPeriod once = new OncePerPeriod(Duration.ofHours(1), 100, clock);

    assertThat(once.allow(8L)).isTrue();
    assertThat(once.allow(8L)).isFalse();
    assertThat(once.allow(9L)).isTrue();
    clock.now = clock.now.plus(Duration.ofMinutes(59));
    assertThat(once.allow(8L)).isFalse();
    clock.now = clock.now.plus(Duration.ofMinutes(1));
    assertThat(once.allow(8L)).isTrue();
    assertThat(once.allow(8L)).isFalse();
  }

  @Test
  void aFloodOfStrangersIsRememberedOnlyUpToTheBoundAndTheRestAreNotTold() {
    MovableClock clock = new MovableClock();
    OncePerPeriod once = new OncePerPeriod(Duration.ofHours(1), 1_000, clock);

    int allowed = 0;
    for (long user = 1; user <= 100_000; user++) {
      allowed += once.allow(user) ? 1 : 0;
      clock.now = clock.now.plusMillis(1);
    }
    assertThat(allowed).isEqualTo(1_000);
    assertThat(once.tracked()).isEqualTo(1_000);
    assertThat(once.allow(1L)).as("within the period").isFalse();

    // an hour after the first ones were told, they are forgotten one by one and room comes back
    clock.now = Instant.parse("2026-12-03T13:00:00.500Z");
    assertThat(once.allow(200_000L)).isTrue();
    assertThat(once.tracked()).isLessThanOrEqualTo(1_000);
    assertThat(once.allow(1L)).as("period over for user 1").isTrue();
    assertThat(once.allow(1L)).isFalse();
  }
}
