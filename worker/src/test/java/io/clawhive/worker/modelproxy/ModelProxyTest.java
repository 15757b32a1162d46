package io.clawhive.worker.modelproxy;

import static io.clawhive.worker.modelproxy.ProxyFixture.MODEL_KEY;
import static io.clawhive.worker.modelproxy.ProxyFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clawhive.core.storage.ModelUsage;
import io.clawhive.worker.fakes.FakeModelServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The model proxy in front of the fake model server (which requires the real key): JSON and SSE
 * byte for byte, streaming before the answer ends, credentials, budgets per tenant, usage rows
 * equal to what the model served, caps, and no model configured.
 */
class ModelProxyTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private ProxyFixture f;

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
  }

  private ProxyFixture fixture(ModelProxySettings settings) throws Exception {
    f = new ProxyFixture(settings, true);
    return f;
  }

  private static ModelProxySettings unlimited() {
    return ModelProxySettings.defaults().withBudgets(0, 0);
  }

  @Test
  void jsonAndSsePassThroughByteForByte() throws Exception {
    fixture(unlimited());
    for (boolean stream : List.of(false, true)) {
      String body = chat("hello " + stream, stream);
      HttpResponse<byte[]> direct = f.post(f.model.baseUrl(), MODEL_KEY, body);
      HttpResponse<byte[]> proxied = f.viaProxy(f.credentialOf1, body);

      assertThat(proxied.statusCode()).isEqualTo(200);
      assertThat(proxied.headers().firstValue("Content-Type"))
          .isEqualTo(direct.headers().firstValue("Content-Type"));
      assertThat(new String(proxied.body(), StandardCharsets.UTF_8)).contains("turn 1: h");
      assertThat(proxied.body()).as("stream=%s, same bytes", stream).isEqualTo(direct.body());
    }
    assertThat(f.model.unauthorized()).isZero();
  }

  @Test
  void sseIsRelayedBeforeTheAnswerEnds() throws Exception {
    fixture(unlimited());
    CountDownLatch hold = new CountDownLatch(1);
    f.model.holdBeforeLastChunk(hold);
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(f.baseUrl() + "/chat/completions"))
            .header("Authorization", "Bearer " + f.credentialOf1)
            .POST(HttpRequest.BodyPublishers.ofString(chat("stream me please", true)))
            .build();
    HttpResponse<InputStream> response =
        f.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      StringBuilder seen = new StringBuilder();
      while (!seen.toString().contains("turn 1: str")) {
        String line = lines.readLine();
        assertThat(line).as("the first content chunk arrives while the model holds").isNotNull();
        seen.append(line).append('\n');
      }
      assertThat(seen.toString()).doesNotContain("[DONE]");
      hold.countDown();
      String rest = lines.lines().reduce("", (a, b) -> a + b + "\n");
      assertThat(rest).contains("\"finish_reason\":\"stop\"").endsWith("data: [DONE]\n\n");
    }
  }

  @Test
  void wrongAbsentOrRevokedCredentialsGet401AndNeverReachTheModel() throws Exception {
    fixture(unlimited());
    String body = chat("hi", true);
    assertThat(f.viaProxy(null, body).statusCode()).isEqualTo(401);
    assertThat(f.viaProxy("chp-not-a-credential", body).statusCode()).isEqualTo(401);
    HttpResponse<byte[]> withModelKey = f.viaProxy(MODEL_KEY, body);
    assertThat(withModelKey.statusCode()).isEqualTo(401);
    assertThat(error(withModelKey).path("code").asText()).isEqualTo("invalid_api_key");

    assertThat(f.viaProxy(f.credentialOf2, body).statusCode()).isEqualTo(200);
    f.credentials.revoke("i-2");
    assertThat(f.viaProxy(f.credentialOf2, body).statusCode()).as("revoked").isEqualTo(401);
    String reissued = f.credentials.issue("i-1").apiKey();
    assertThat(f.viaProxy(f.credentialOf1, body).statusCode()).as("replaced").isEqualTo(401);
    assertThat(f.viaProxy(reissued, body).statusCode()).isEqualTo(200);
    assertThat(f.viaProxy(f.credentialOfPool, body).statusCode())
        .as("a pool instance serves no tenant")
        .isEqualTo(403);

    assertThat(f.model.served()).isEqualTo(2);
    assertThat(f.model.unauthorized()).isZero();
    assertThat(f.metrics.meter("worker.modelproxy.refused.credential").getCount()).isEqualTo(5);
  }

  @Test
  void modelsAreListedForACredentialOnly() throws Exception {
    fixture(unlimited());
    HttpRequest.Builder models = HttpRequest.newBuilder(URI.create(f.baseUrl() + "/models"));
    assertThat(f.http.send(models.build(), HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(401);
    HttpResponse<String> listed =
        f.http.send(
            models.header("Authorization", "Bearer " + f.credentialOf1).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(listed.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(listed.body()).path("data").path(0).path("id").asText())
        .isEqualTo(FakeModelServer.MODEL_ID);
    HttpResponse<String> other =
        f.http.send(
            HttpRequest.newBuilder(URI.create(f.baseUrl() + "/embeddings"))
                .header("Authorization", "Bearer " + f.credentialOf1)
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).as("only what the gateway needs is served").isEqualTo(404);
    assertThat(f.model.served()).isZero();
  }

  @Test
  void requestsPerMinuteBudgetRefusesOnlyThatTenant() throws Exception {
    fixture(ModelProxySettings.defaults().withBudgets(2, 0));
    Instant before = Instant.now();
    for (int i = 0; i < 2; i++) {
      assertThat(f.viaProxy(f.credentialOf1, chat("a" + i, true)).statusCode()).isEqualTo(200);
    }
    HttpResponse<byte[]> refused = f.viaProxy(f.credentialOf1, chat("a3", true));
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    JsonNode error = error(refused);
    assertThat(error.path("code").asText()).isEqualTo("budget_exceeded");
    assertThat(error.path("message").asText()).contains("limit of 2 model requests a minute");
    assertThat(f.viaProxy(f.credentialOf2, chat("b", true)).statusCode())
        .as("another tenant is not affected")
        .isEqualTo(200);

    assertThat(f.proxy.budgetRefusals().refusedSince(1, before)).isPresent();
    assertThat(f.proxy.budgetRefusals().refusedSince(2, before)).isEmpty();
    assertThat(f.proxy.budgetRefusals().refusedSince(1, Instant.now().plusSeconds(1))).isEmpty();
    assertThat(f.model.served()).isEqualTo(3);
    await().until(() -> f.usageToday(1).map(ModelUsage::requests).orElse(0L) == 2);
    assertThat(f.usageToday(1).orElseThrow().refused()).isEqualTo(1);
    assertThat(f.metrics.meter("worker.modelproxy.refused.budget").getCount()).isEqualTo(1);
  }

  @Test
  void tokensPerDayBudgetRefusesOnceUsedUpAndSaysWhenItResets() throws Exception {
    fixture(ModelProxySettings.defaults().withBudgets(0, 30));
    HttpResponse<byte[]> first = f.viaProxy(f.credentialOf1, chat("use up my budget", false));
    assertThat(first.statusCode()).isEqualTo(200);
    await().until(() -> f.usageToday(1).map(ModelUsage::tokens).orElse(0L) >= 30);

    HttpResponse<byte[]> refused = f.viaProxy(f.credentialOf1, chat("more", true));
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(error(refused).path("message").asText())
        .contains("used its daily budget of 30 model tokens")
        .contains("resets at 00:00 UTC");
    assertThat(f.proxy.budgetRefusals().exhausted(1)).get().asString().contains("daily budget");
    assertThat(f.proxy.budgetRefusals().exhausted(2)).isEmpty();
    assertThat(f.viaProxy(f.credentialOf2, chat("b", true)).statusCode()).isEqualTo(200);
    assertThat(f.model.served()).isEqualTo(2);
  }

  @Test
  void usageRowsMatchWhatTheModelServed() throws Exception {
    fixture(unlimited());
    f.viaProxy(f.credentialOf1, chat("one", true));
    f.viaProxy(f.credentialOf1, chat("two, longer", false));
    f.viaProxy(f.credentialOf2, chat("three", true));
    // the proxy asks for usage when a streaming request does not
    f.viaProxy(f.credentialOf2, "{\"model\":\"fake-model\",\"stream\":true,\"messages\":[]}");

    await()
        .until(
            () ->
                f.usageToday(1).map(ModelUsage::requests).orElse(0L)
                        + f.usageToday(2).map(ModelUsage::requests).orElse(0L)
                    == 4);
    ModelUsage one = f.usageToday(1).orElseThrow();
    ModelUsage two = f.usageToday(2).orElseThrow();
    assertThat(one.requests() + two.requests()).isEqualTo(f.model.served()).isEqualTo(4);
    assertThat(one.tokensIn() + two.tokensIn()).isEqualTo(f.model.promptTokensServed());
    assertThat(one.tokensOut() + two.tokensOut()).isEqualTo(f.model.completionTokensServed());
    assertThat(one.tokensOut()).isEqualTo("turn 1: one".length() + "turn 1: two, longer".length());
    assertThat(one.errors() + two.errors()).isZero();
    assertThat(f.model.requests().get(3).path("stream_options").path("include_usage").asBoolean())
        .isTrue();
    assertThat(f.metrics.counter("worker.modelproxy.tokens.in").getCount())
        .isEqualTo(f.model.promptTokensServed());
    assertThat(f.metrics.counter("worker.modelproxy.tokens.out").getCount())
        .isEqualTo(f.model.completionTokensServed());
  }

  @Test
  void aRunawayAnswerIsCutAndTheStreamEndsCleanly() throws Exception {
    fixture(unlimited().withMaxAnswerBytes(16 * 1024));
    f.model.padAnswers(200_000);
    HttpResponse<byte[]> response = f.viaProxy(f.credentialOf1, chat("write a novel", true));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body().length).isLessThan(16 * 1024 + 1024);
    String text = new String(response.body(), StandardCharsets.UTF_8);
    assertThat(text).endsWith("data: [DONE]\n\n").contains("\"finish_reason\":\"length\"");
    List<String> events = text.lines().filter(l -> l.startsWith("data: {")).toList();
    for (String event : events) {
      JSON.readTree(event.substring("data: ".length())); // every relayed event is whole JSON
    }
    assertThat(f.metrics.meter("worker.modelproxy.answers.cut").getCount()).isEqualTo(1);
    await().until(() -> f.usageToday(1).map(ModelUsage::tokensOut).orElse(0L) > 0);

    HttpResponse<byte[]> json = f.viaProxy(f.credentialOf1, chat("a novel as JSON", false));
    assertThat(json.statusCode()).isEqualTo(502);
    assertThat(error(json).path("code").asText()).isEqualTo("answer_too_large");
  }

  @Test
  void oversizedOrMalformedRequestsAreRefused() throws Exception {
    fixture(unlimited());
    String huge = chat("x".repeat(5 * 1024 * 1024), true);
    HttpResponse<byte[]> tooLarge = f.viaProxy(f.credentialOf1, huge);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(f.viaProxy(f.credentialOf1, "not json").statusCode()).isEqualTo(400);
    assertThat(f.model.served()).isZero();
  }

  @Test
  void anExpectedSourceAddressIsEnforced() throws Exception {
    fixture(unlimited());
    f.proxy.expectSource("i-1", InetAddress.getByName("127.0.0.2"));
    assertThat(f.viaProxy(f.credentialOf1, chat("hi", true)).statusCode()).isEqualTo(401);
    f.proxy.expectSource("i-1", InetAddress.getByName("127.0.0.1"));
    assertThat(f.viaProxy(f.credentialOf1, chat("hi", true)).statusCode()).isEqualTo(200);
  }

  @Test
  void listensAlsoOnAnotherAddress() throws Exception {
    fixture(unlimited());
    f.proxy.listenAlso(InetAddress.getByName("127.0.0.2"));
    String other = "http://127.0.0.2:" + f.proxy.port() + "/v1";
    assertThat(f.post(other, f.credentialOf1, chat("via 127.0.0.2", false)).statusCode())
        .isEqualTo(200);
  }

  @Test
  void withoutAModelProviderChatsGetAClearError() throws Exception {
    f = new ProxyFixture(unlimited(), false);
    HttpResponse<byte[]> response = f.viaProxy(f.credentialOf1, chat("anyone?", true));
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(error(response).path("message").asText())
        .contains("no model provider is configured");
    assertThat(f.model.served()).isZero();
  }

  private static JsonNode error(HttpResponse<byte[]> response) throws Exception {
    return JSON.readTree(response.body()).path("error");
  }
}
