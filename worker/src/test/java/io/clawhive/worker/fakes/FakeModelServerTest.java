package io.clawhive.worker.fakes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FakeModelServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Shaped like openclaw-model-request-sample.json: second turn of a conversation. */
  private static final String GATEWAY_REQUEST =
      """
      {"model":"fake-model","stream":true,"stream_options":{"include_usage":true},
       "tool_choice":"auto","max_completion_tokens":4096,
       "messages":[
        {"role":"system","content":"You are a personal assistant running inside OpenClaw."},
        {"role":"user","content":"[Sat 2026-11-28 20:25 UTC] what skills?\\n\\nRuntime: agent=main | session=agent:main:openai-user:s1"},
        {"role":"assistant","content":"turn 1: what skills?"},
        {"role":"user","content":"[Sat 2026-11-28 20:25 UTC] skills now?"},
        {"role":"user","content":[{"type":"text","text":"<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\\nConversation data\\n<<<END_OPENCLAW_INTERNAL_CONTEXT>>>"}]}
       ],
       "tools":[{"type":"function","function":{"name":"exec","parameters":{"type":"object"}}}]}
      """;

  private FakeModelServer server;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    server = FakeModelServer.start("model-key");
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void streamsTheAnswerAsServerSentEventsCountingRealUserTurns() throws Exception {
    HttpResponse<String> response = post("model-key", GATEWAY_REQUEST);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    StringBuilder content = new StringBuilder();
    List<String> finishReasons = new ArrayList<>();
    List<String> events = response.body().lines().filter(l -> l.startsWith("data: ")).toList();
    assertThat(events).last().isEqualTo("data: [DONE]");
    for (String event : events.subList(0, events.size() - 1)) {
      JsonNode chunk = JSON.readTree(event.substring("data: ".length()));
      assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
      for (JsonNode choice : chunk.path("choices")) {
        content.append(choice.path("delta").path("content").asText(""));
        if (choice.path("finish_reason").isTextual()) {
          finishReasons.add(choice.path("finish_reason").asText());
        }
      }
    }
    assertThat(content.toString()).isEqualTo("turn 2: skills now?");
    assertThat(finishReasons).containsExactly("stop");
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void answersWithoutStreamingWhenAskedSo() throws Exception {
    HttpResponse<String> response =
        post(
            "model-key",
            "{\"model\":\"fake-model\",\"messages\":[{\"role\":\"user\",\"content\":\"[Mon 2026-01-01 00:00 UTC] hello\\n\\nRuntime: x\"}]}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(
            JSON.readTree(response.body())
                .path("choices")
                .path(0)
                .path("message")
                .path("content")
                .asText())
        .isEqualTo("turn 1: hello");
  }

  @Test
  void refusesAWrongApiKey() throws Exception {
    assertThat(post("other", GATEWAY_REQUEST).statusCode()).isEqualTo(401);
    assertThat(server.requests()).isEmpty();
  }

  private HttpResponse<String> post(String key, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
