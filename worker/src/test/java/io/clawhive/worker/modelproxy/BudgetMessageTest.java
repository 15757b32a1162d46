package io.clawhive.worker.modelproxy;

import static io.clawhive.worker.modelproxy.ProxyFixture.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.ModelUsage;
import io.clawhive.core.task.ReplyTo;
import io.clawhive.core.task.RouteMessage;
import io.clawhive.core.telegram.FakeTelegramBotApi;
import io.clawhive.core.telegram.TelegramBotApi;
import io.clawhive.worker.fleet.TenantGateways;
import io.clawhive.worker.gateway.GatewayClient;
import io.clawhive.worker.routing.RouteMessageHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The user is told plainly when their assistant is over its model budget: the real route handler,
 * the real proxy and budgets, the fake Telegram Bot API, and a stand-in gateway that calls the
 * proxy with its credential and, on a refusal, answers HTTP 429 carrying the proxy's text (what the
 * real OpenClaw gateway was measured to do in FleetModelProxyRealGatewayTest).
 */
class BudgetMessageTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long CHAT = 1001;
  private static final String GATEWAY_TOKEN = "gw-token";

  private ProxyFixture f;
  private HttpServer gateway;
  private FakeTelegramBotApi telegram;
  private final AtomicInteger asked = new AtomicInteger();
  private final ScheduledExecutorService typing = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void tearDown() throws Exception {
    if (gateway != null) {
      gateway.stop(0);
    }
    if (telegram != null) {
      telegram.close();
    }
    if (f != null) {
      f.close();
    }
    typing.shutdownNow();
  }

  @Test
  void aUsedUpDailyBudgetIsToldWithoutAskingTheGateway() throws Exception {
    RouteMessageHandler handler = start(ModelProxySettings.defaults().withBudgets(0, 30));

    handler.handle(message("spend my tokens on a long enough answer"));
    await().until(() -> f.usageToday(1).map(ModelUsage::tokens).orElse(0L) >= 30);
    handler.handle(message("and now?"));

    assertThat(telegram.sentTo(CHAT))
        .extracting(FakeTelegramBotApi.Sent::text)
        .hasSize(2)
        .first()
        .asString()
        .startsWith("turn 1: spend my tokens");
    assertThat(telegram.sentTo(CHAT).get(1).text())
        .contains("used its daily budget of 30 model tokens")
        .contains("resets at 00:00 UTC");
    assertThat(asked.get()).as("the gateway was asked once").isEqualTo(1);
  }

  @Test
  void aRefusalDuringTheTurnIsToldInsteadOfAFailure() throws Exception {
    RouteMessageHandler handler = start(ModelProxySettings.defaults().withBudgets(1, 0));

    handler.handle(message("first"));
    handler.handle(message("second, too soon"));

    assertThat(asked.get()).isEqualTo(2);
    assertThat(telegram.sentTo(CHAT).get(0).text()).isEqualTo("turn 1: first");
    assertThat(telegram.sentTo(CHAT).get(1).text())
        .isEqualTo(
            "Your assistant has reached its limit of 1 model requests a minute. Please try again"
                + " in a minute.");
    assertThat(f.model.served()).isEqualTo(1);
  }

  private RouteMessageHandler start(ModelProxySettings settings) throws Exception {
    f = new ProxyFixture(settings, true);
    telegram = new FakeTelegramBotApi("bot-token");
    gateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    gateway.createContext("/v1/chat/completions", this::gatewayChat);
    gateway.start();
    GatewayClient client =
        GatewayClient.forLoopback(
            GatewayClient.newHttpClient(GatewayClient.DEFAULT_CONNECT_TIMEOUT),
            "i-1",
            gateway.getAddress().getPort(),
            GATEWAY_TOKEN);
    TenantGateways gateways =
        new TenantGateways() {
          @Override
          public GatewayClient gatewayFor(long tenantId) {
            return client;
          }

          @Override
          public void touch(long tenantId) {}

          @Override
          public void restart(long tenantId, String reason) {}

          @Override
          public Optional<InstanceState> stateOf(long tenantId) {
            return Optional.of(InstanceState.RUNNING);
          }
        };
    return new RouteMessageHandler(
        gateways,
        f.storage,
        Optional.of(new TelegramBotApi(telegram.baseUrl(), "bot-token")),
        null,
        5,
        typing,
        f.proxy.budgetRefusals(),
        new com.codahale.metrics.MetricRegistry(),
        Clock.systemUTC());
  }

  /** The stand-in gateway: one model call through the proxy per turn, as OpenClaw does. */
  private void gatewayChat(HttpExchange exchange) throws IOException {
    try {
      asked.incrementAndGet();
      JsonNode request = JSON.readTree(exchange.getRequestBody());
      String text = request.path("messages").path(0).path("content").asText();
      HttpResponse<byte[]> model = f.viaProxy(f.credentialOf1, chat(text, false));
      JsonNode answer = JSON.readTree(model.body());
      ObjectNode reply = JSON.createObjectNode();
      int status = model.statusCode();
      if (status == 200) {
        reply
            .putArray("choices")
            .addObject()
            .put("finish_reason", "stop")
            .putObject("message")
            .put("role", "assistant")
            .put(
                "content", answer.path("choices").path(0).path("message").path("content").asText());
      } else {
        reply
            .putObject("error")
            .put("message", status + " " + answer.path("error").path("message").asText());
      }
      byte[] bytes = reply.toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
    } catch (Exception e) {
      exchange.sendResponseHeaders(500, -1);
    } finally {
      exchange.close();
    }
  }

  private static RouteMessage message(String text) {
    return RouteMessage.of(1L, CHAT, null, text, ReplyTo.telegram(null), Instant.now());
  }
}
