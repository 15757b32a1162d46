package io.clawhive.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OpsSessionsTest {
  private final MutableClock clock = new MutableClock();
  private final OpsSessions sessions = new OpsSessions(clock);

  @Test
  void aSessionIsValidUntilItsTtlOrUntilClosed() {
    String id = sessions.open();
    assertThat(id).hasSizeGreaterThanOrEqualTo(43);
    assertThat(sessions.valid(id)).isTrue();
    clock.advance(OpsSessions.TTL.minus(Duration.ofSeconds(1)));
    assertThat(sessions.valid(id)).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(sessions.valid(id)).isFalse();

    String other = sessions.open();
    sessions.close(other);
    assertThat(sessions.valid(other)).isFalse();
    assertThat(sessions.valid(null)).isFalse();
    assertThat(sessions.valid("made-up")).isFalse();
  }

  @Test
  void idsAreDistinctAndTheOldestGoBeyondTheBound() {
    Set<String> ids = new HashSet<>();
    String first = sessions.open();
    ids.add(first);
    for (int i = 1; i < OpsSessions.MAX_SESSIONS; i++) {
      ids.add(sessions.open());
    }
    assertThat(ids).hasSize(OpsSessions.MAX_SESSIONS);
    assertThat(sessions.valid(first)).isTrue();
    String newest = sessions.open();
    assertThat(sessions.valid(first)).isFalse();
    assertThat(sessions.valid(newest)).isTrue();
  }
}
