package io.clawhive.worker.supervision;

import static io.clawhive.core.storage.InstanceState.FAILED;
import static io.clawhive.core.storage.InstanceState.HIBERNATED;
import static io.clawhive.core.storage.InstanceState.PROVISIONING;
import static io.clawhive.core.storage.InstanceState.RESTARTING;
import static io.clawhive.core.storage.InstanceState.RUNNING;
import static io.clawhive.core.storage.InstanceState.STARTING;
import static io.clawhive.core.storage.InstanceState.UNHEALTHY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clawhive.worker.limits.ResourceLimiter;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.supervision.SupervisorFixture.Supervised;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Supervision semantics against real stand-in gateway processes. */
class GatewaySupervisorTest {

  private static final Duration BOUND = Duration.ofSeconds(20);
  @TempDir Path tempDir;
  private SupervisorFixture fixture;

  @BeforeEach
  void setUp() throws Exception {
    fixture =
        new SupervisorFixture(
            StandIn.instancesRoot(tempDir), ResourceLimiter.detect(StandIn.LIMITER_SETTINGS));
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  @Test
  void startsAndBecomesRunningOnceReadyzAnswers200() throws Exception {
    Supervised s =
        fixture.supervise(
            "ready",
            "{\"readyDelayMs\":800}",
            SupervisorFixture.fastPolicy().build(),
            StandIn.SMALL_LIMITS);
    s.supervisor().start();
    await().atMost(BOUND).until(() -> s.supervisor().state() == RUNNING);

    assertThat(s.listener().states()).containsExactly(STARTING, RUNNING);
    assertThat(s.listener().probes)
        .as("readiness probes saw 503 before 200")
        .anyMatch(p -> p.path().equals("/readyz") && p.status() == 503);
    assertThat(StandIn.chat(s.port(), s.token(), "u", "hi").body()).contains("echo: hi");
  }

  @Test
  void killMinus9IsSeenAtOnceAndRestartedWithDoublingBackoff() throws Exception {
    SupervisionPolicy policy =
        SupervisorFixture.fastPolicy()
            .livenessPeriod(Duration.ofSeconds(30)) // so only Process.onExit can notice
            .backoff(Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofMinutes(10))
            .build();
    Supervised s = fixture.supervise("kill9", "{}", policy, StandIn.SMALL_LIMITS);
    s.supervisor().start();
    await().atMost(BOUND).until(() -> s.supervisor().state() == RUNNING);

    long firstDelay = killAndMeasureRestartDelay(s);
    long secondDelay = killAndMeasureRestartDelay(s);

    assertThat(firstDelay).isGreaterThanOrEqualTo(500);
    assertThat(secondDelay).as("back-off doubles").isGreaterThanOrEqualTo(1000);
    assertThat(s.listener().last(RESTARTING).reason()).contains("exited with code 137");
    assertThat(s.supervisor().restartCount()).isEqualTo(2);
    assertThat(s.listener().startedPids).hasSize(3).doesNotHaveDuplicates();
  }

  private long killAndMeasureRestartDelay(Supervised s) {
    int restartsBefore = (int) s.listener().count(RESTARTING);
    long pid = s.supervisor().pid().orElseThrow();
    long killedAt = System.nanoTime();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> s.listener().count(RESTARTING) > restartsBefore);
    assertThat((s.listener().last(RESTARTING).nanos() - killedAt) / 1_000_000)
        .as("exit seen long before the 30 s liveness period")
        .isLessThan(3_000);
    await().atMost(BOUND).until(() -> s.supervisor().state() == RUNNING);
    RecordingListener.Change restarting = s.listener().last(RESTARTING);
    RecordingListener.Change starting = s.listener().last(STARTING);
    return (starting.nanos() - restarting.nanos()) / 1_000_000;
  }

  @Test
  void crashLoopEndsInFailedAfterTheStartBurst() {
    SupervisionPolicy policy =
        SupervisorFixture.fastPolicy()
            .backoff(Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMinutes(10))
            .startLimit(3, Duration.ofMinutes(1))
            .build();
    Supervised s =
        fixture.supervise(
            "loop", "{\"readyDelayMs\":60000,\"crashAfterMs\":200}", policy, StandIn.SMALL_LIMITS);
    s.supervisor().start();

    await().atMost(BOUND).until(() -> s.supervisor().state() == FAILED);
    assertThat(s.supervisor().startCount()).isEqualTo(3);
    assertThat(s.supervisor().failureReason()).contains("start limit");
    assertThat(s.listener().last(RESTARTING).reason()).contains("exited with code 1");
    assertThat(s.supervisor().pid()).isEmpty();
  }

  @Test
  void exitCode78FailsAtOnceWithoutRetries() {
    Supervised s =
        fixture.supervise(
            "cfg",
            "{\"exitAtStart\":78}",
            SupervisorFixture.fastPolicy().build(),
            StandIn.SMALL_LIMITS);
    s.supervisor().start();

    await().atMost(BOUND).until(() -> s.supervisor().state() == FAILED);
    assertThat(s.listener().states()).containsExactly(STARTING, FAILED);
    assertThat(s.supervisor().startCount()).isEqualTo(1);
    assertThat(s.supervisor().restartCount()).isZero();
    assertThat(s.supervisor().failureReason()).contains("78").contains("configuration");
  }

  @Test
  void hangingGatewayBecomesUnhealthyAndIsRestarted() throws Exception {
    Supervised s =
        fixture.supervise(
            "hang", "{}", SupervisorFixture.fastPolicy().build(), StandIn.SMALL_LIMITS);
    s.supervisor().start();
    await().atMost(BOUND).until(() -> s.supervisor().state() == RUNNING);
    long hungPid = s.supervisor().pid().orElseThrow();

    StandIn.control(s.port(), s.token(), "hang");

    await().atMost(BOUND).until(() -> s.listener().count(RUNNING) == 2);
    assertThat(s.listener().states())
        .containsExactly(STARTING, RUNNING, UNHEALTHY, RESTARTING, STARTING, RUNNING);
    assertThat(s.listener().last(UNHEALTHY).reason()).contains("no answer within 400 ms");
    assertThat(s.supervisor().pid()).isPresent().isNotEqualTo(java.util.OptionalLong.of(hungPid));
    assertThat(ProcessHandle.of(hungPid).map(ProcessHandle::isAlive))
        .isNotEqualTo(java.util.Optional.of(true));
    assertThat(StandIn.chat(s.port(), s.token(), "u", "back?").statusCode()).isEqualTo(200);
  }

  @Test
  void memoryOverTheThresholdRestartsGracefullyAndTellsOnce() throws Exception {
    SupervisionPolicy policy = SupervisorFixture.fastPolicy().memoryRestartFraction(0.5).build();
    Supervised s = fixture.supervise("mem", "{}", policy, StandIn.SMALL_LIMITS);
    s.supervisor().start();
    await().atMost(BOUND).until(() -> s.supervisor().state() == RUNNING);

    StandIn.control(s.port(), s.token(), "hog?mb=160");

    await().atMost(BOUND).until(() -> s.listener().count(RUNNING) == 2);
    assertThat(s.listener().memoryRestarts).hasSize(1);
    RecordingListener.MemoryRestart restart = s.listener().memoryRestarts.get(0);
    assertThat(restart.usedBytes()).isGreaterThan(restart.limitBytes() / 2);
    assertThat(restart.usedBytes()).isLessThan(restart.limitBytes());
    assertThat(s.listener().last(RESTARTING).reason()).contains("memory");
  }

  @Test
  void hibernateStopsTheProcessAndFreesThePortThenWakes() throws Exception {
    Supervised s =
        fixture.supervise(
            "hib", "{}", SupervisorFixture.fastPolicy().build(), StandIn.SMALL_LIMITS);
    assertThat(s.supervisor().state()).isEqualTo(PROVISIONING);
    s.supervisor().start();
    await().atMost(BOUND).until(() -> s.supervisor().state() == RUNNING);
    long pid = s.supervisor().pid().orElseThrow();

    s.supervisor().stop(HIBERNATED, "idle").get();

    assertThat(s.supervisor().state()).isEqualTo(HIBERNATED);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(StandIn.listening(s.port())).isFalse();
    assertThat(s.supervisor().restartCount()).as("a stop is not a crash").isZero();

    s.supervisor().start();
    await().atMost(BOUND).until(() -> s.supervisor().state() == RUNNING);
    assertThat(StandIn.chat(s.port(), s.token(), "u", "awake").statusCode()).isEqualTo(200);
  }
}
