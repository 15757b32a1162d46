package io.clawhive.api.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuthFailureLimiterTest {
  private final MutableClock clock = new MutableClock();

  @Test
  void anAddressMayFailNTimesAMinuteThenWaitsForTheBucketToRefill() {
    AuthFailureLimiter limiter = new AuthFailureLimiter(3, clock);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.retryAfter("10.0.0.1")).isEmpty();
      limiter.recordFailure("10.0.0.1");
    }
    assertThat(limiter.retryAfter("10.0.0.1")).contains(Duration.ofSeconds(20));
    assertThat(limiter.retryAfter("10.0.0.2")).as("other addresses are not slowed").isEmpty();

    clock.advance(Duration.ofSeconds(15));
    assertThat(limiter.retryAfter("10.0.0.1")).contains(Duration.ofSeconds(5));
    clock.advance(Duration.ofSeconds(5));
    assertThat(limiter.retryAfter("10.0.0.1")).isEmpty();
    limiter.recordFailure("10.0.0.1");
    assertThat(limiter.retryAfter("10.0.0.1")).contains(Duration.ofSeconds(20));

    clock.advance(Duration.ofHours(1));
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.retryAfter("10.0.0.1")).as("refilled to N, not beyond").isEmpty();
      limiter.recordFailure("10.0.0.1");
    }
    assertThat(limiter.retryAfter("10.0.0.1")).isPresent();
  }

  @Test
  void theAddressTableIsBounded() {
    AuthFailureLimiter limiter = new AuthFailureLimiter(1, clock);
    limiter.recordFailure("first");
    for (int i = 0; i < AuthFailureLimiter.MAX_ADDRESSES + 500; i++) {
      limiter.recordFailure("addr-" + i);
    }
    assertThat(limiter.addresses()).isEqualTo(AuthFailureLimiter.MAX_ADDRESSES);
    assertThat(limiter.retryAfter("first")).as("the least recently seen is forgotten").isEmpty();
    assertThat(limiter.retryAfter("addr-" + (AuthFailureLimiter.MAX_ADDRESSES + 499))).isPresent();
  }

  @Test
  void refusesANonPositiveRate() {
    assertThatThrownBy(() -> new AuthFailureLimiter(0, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("failuresPerMinute");
  }
}
