package io.clawhive.worker.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.clawhive.core.ClawhiveException;
import io.clawhive.worker.fakes.FakeGateway;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GatewayClientTest {

  private static final String TOKEN = "gw-token";

  private final HttpClient http = GatewayClient.newHttpClient(Duration.ofSeconds(2));
  private FakeGateway gateway;

  @BeforeEach
  void start() throws Exception {
    gateway = FakeGateway.start(TOKEN);
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private GatewayClient client(String token, Duration chatTimeout) {
    return new GatewayClient(
        http,
        "inst-1",
        URI.create("http://127.0.0.1:" + gateway.port()),
        token,
        chatTimeout,
        Clock.systemUTC());
  }

  @Test
  void chatSendsTheSessionKeyAsUserAndParsesTheReply() {
    GatewayClient client = client(TOKEN, Duration.ofSeconds(10));

    ChatReply first = client.chat("tenant-42", "hello");
    ChatReply second = client.chat("tenant-42", "again");

    assertThat(first.content()).isEqualTo("turn 1: hello");
    assertThat(second.content()).isEqualTo("turn 2: again");
    assertThat(second.finishReason()).isEqualTo("stop");
    assertThat(gateway.chatRequests())
        .allSatisfy(
            body -> {
              assertThat(body.path("model").asText()).isEqualTo("openclaw/default");
              assertThat(body.path("user").asText()).isEqualTo("tenant-42");
              assertThat(body.path("stream").asBoolean()).isFalse();
            });
  }

  @Test
  void wrongTokenIsPermanentAndCarriesTheInstanceId() {
    GatewayClient client = client("wrong", Duration.ofSeconds(10));

    assertThatThrownBy(() -> client.chat("tenant-42", "hello"))
        .isInstanceOf(GatewayRejectedException.class)
        .isInstanceOf(ClawhiveException.class)
        .hasMessage("instance inst-1: HTTP 401: Unauthorized")
        .satisfies(
            e -> {
              GatewayRejectedException rejected = (GatewayRejectedException) e;
              assertThat(rejected.retryable()).isFalse();
              assertThat(rejected.instanceId()).isEqualTo("inst-1");
              assertThat(rejected.httpStatus()).isEqualTo(401);
            });
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 403, 404})
  void clientErrorsArePermanent(int status) {
    gateway.forceStatus(status);

    assertThatThrownBy(() -> client(TOKEN, Duration.ofSeconds(10)).chat("t", "x"))
        .isInstanceOfSatisfying(
            GatewayRejectedException.class, e -> assertThat(e.httpStatus()).isEqualTo(status))
        .hasMessageContaining("forced " + status);
  }

  @ParameterizedTest
  @ValueSource(ints = {429, 500, 502, 503})
  void overloadAndServerErrorsAreRetryable(int status) {
    gateway.forceStatus(status);

    assertThatThrownBy(() -> client(TOKEN, Duration.ofSeconds(10)).chat("t", "x"))
        .isInstanceOfSatisfying(
            GatewayUnavailableException.class,
            e -> {
              assertThat(e.retryable()).isTrue();
              assertThat(e.httpStatus()).hasValue(status);
            });
  }

  @Test
  void connectionRefusedIsRetryable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    GatewayClient client = GatewayClient.forLoopback(http, "inst-2", closedPort, TOKEN);

    assertThatThrownBy(() -> client.chat("t", "x"))
        .isInstanceOfSatisfying(
            GatewayUnavailableException.class, e -> assertThat(e.httpStatus()).isEmpty())
        .hasMessage("instance inst-2: chat failed: connection refused");
  }

  @Test
  void aHangingGatewayTimesOutRetryably() {
    gateway.hangChats();

    assertThatThrownBy(() -> client(TOKEN, Duration.ofMillis(300)).chat("t", "x"))
        .isInstanceOf(GatewayUnavailableException.class)
        .hasMessageContaining("timed out");
  }

  @Test
  void anEndlessAnswerIsCutAtTheCapAndNotReadFurther() {
    gateway.answerEndlessly();
    int cap = 100_000;

    ChatReply reply = client(TOKEN, Duration.ofSeconds(30)).chat("t", "write forever", cap);

    assertThat(reply.cut()).isTrue();
    assertThat(reply.content()).hasSize(cap).matches("a+");
    assertThat(reply.completionId()).isEqualTo("chatcmpl-endless");
    // the client closed the connection: the gateway's writes fail and it stops
    await().atMost(Duration.ofSeconds(20)).until(gateway::endlessAnswerStopped);
    System.out.printf(
        "endless answer: client kept %,d chars, gateway wrote %,d bytes before the connection"
            + " closed%n",
        reply.content().length(), gateway.endlessBytes());
    // what was written beyond the cap sat in socket buffers, never in the client's heap
    assertThat(gateway.endlessBytes()).isLessThan(64L * 1024 * 1024);
  }

  @Test
  void theReaderKeepsOnlyTheContentAndSkipsEverythingElse() {
    gateway.answerRaw(
        "{\"object\":\"chat.completion\",\"usage\":{\"n\":[1,-2.5e3,true,false,null,{}]},"
            + "\"choices\":[{\"index\":0,\"finish_reason\":\"stop\",\"message\":{\"role\":"
            + "\"assistant\",\"content\":\"caf\\u00e9 \\\"quoted\\\"\\nline\\t\\ud83d\\ude00\"}},"
            + "{\"message\":{\"content\":\"second choice\"}}],\"id\":\"chatcmpl-7\"}");

    ChatReply reply = client(TOKEN, Duration.ofSeconds(10)).chat("t", "x");

    assertThat(reply.content()).isEqualTo("caf\u00e9 \"quoted\"\nline\t\ud83d\ude00");
    assertThat(reply.completionId()).isEqualTo("chatcmpl-7");
    assertThat(reply.finishReason()).isEqualTo("stop");
    assertThat(reply.cut()).isFalse();
  }

  @Test
  void aCutNeverKeepsHalfACharacter() {
    gateway.answerRaw("{\"choices\":[{\"message\":{\"content\":\"ab\\ud83d\\ude00cd\"}}]}");

    ChatReply reply = client(TOKEN, Duration.ofSeconds(10)).chat("t", "x", 3);

    assertThat(reply.cut()).isTrue();
    assertThat(reply.content()).isEqualTo("ab");
  }

  @Test
  void aReplyThatIsNotJsonOrHasNoContentIsPermanent() {
    gateway.answerRaw("<html>oops</html>");
    assertThatThrownBy(() -> client(TOKEN, Duration.ofSeconds(10)).chat("t", "x"))
        .isInstanceOf(GatewayRejectedException.class)
        .hasMessageContaining("not JSON")
        .hasMessageContaining("<html>oops");

    gateway.answerRaw("{\"choices\":[{\"message\":{\"content\":null}}]}");
    assertThatThrownBy(() -> client(TOKEN, Duration.ofSeconds(10)).chat("t", "x"))
        .isInstanceOf(GatewayRejectedException.class)
        .hasMessageContaining("no choices[0].message.content");

    gateway.answerRaw("[".repeat(10_000));
    assertThatThrownBy(() -> client(TOKEN, Duration.ofSeconds(10)).chat("t", "x"))
        .isInstanceOf(GatewayRejectedException.class)
        .hasMessageContaining("nested deeper");
  }

  @Test
  void anAnswerThatStallsAfterItsHeadersTimesOutRetryably() {
    gateway.stallAfterHeaders();

    assertThatThrownBy(() -> client(TOKEN, Duration.ofMillis(500)).chat("t", "x"))
        .isInstanceOf(GatewayUnavailableException.class)
        .hasMessageContaining("timed out");
  }
}
