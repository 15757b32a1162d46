package io.clawhive.worker.supervision;

import static org.assertj.core.api.Assertions.assertThat;

import io.clawhive.worker.fakes.FakeGateway;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthProbeTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final HealthProbe probe = new HealthProbe(Clock.systemUTC());
  private FakeGateway gateway;

  @BeforeEach
  void start() throws Exception {
    gateway = FakeGateway.start("gw-token");
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void probesReportStatusWithoutChatting() {
    gateway.readyStatus(503);
    ProbeResult notReady = probe.probe(gateway.port(), HealthProbe.READINESS_PATH, TIMEOUT).join();
    gateway.readyStatus(200);
    ProbeResult ready = probe.probe(gateway.port(), HealthProbe.READINESS_PATH, TIMEOUT).join();
    ProbeResult live = probe.probe(gateway.port(), HealthProbe.LIVENESS_PATH, TIMEOUT).join();

    assertThat(notReady.status()).isEqualTo(503);
    assertThat(notReady.ok()).isFalse();
    assertThat(ready.ok()).isTrue();
    assertThat(live.ok()).isTrue();
    assertThat(live.path()).isEqualTo(HealthProbe.LIVENESS_PATH);
    assertThat(gateway.chatRequests()).isEmpty();
  }

  @Test
  void aClosedPortIsNoAnswer() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    ProbeResult result = probe.probe(closedPort, HealthProbe.LIVENESS_PATH, TIMEOUT).join();

    assertThat(result.ok()).isFalse();
    assertThat(result.status()).isZero();
    assertThat(result.detail()).contains("ConnectException");
  }
}
