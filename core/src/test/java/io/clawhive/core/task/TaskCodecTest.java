package io.clawhive.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TaskCodecTest {

  private static final UUID ID = UUID.fromString("3f6c1a2e-9b1d-4c1e-8a57-2f0d4b7e9a10");
  private static final Instant AT = Instant.parse("2026-01-02T03:04:05.123Z");
  private static final int ATTEMPT = 2;

  private final TaskCodec codec = new TaskCodec();
  private final ObjectMapper json = new ObjectMapper();

  static Stream<Task> fixtures() {
    return Stream.of(
        new CreateInstance(ID, ATTEMPT, AT, 1001L),
        new RouteMessage(ID, ATTEMPT, AT, 1001L, 2002, 3003L, "hello", ReplyTo.telegram(77)),
        new CheckHealth(ID, ATTEMPT, AT, "node-a"),
        new RestartInstance(ID, ATTEMPT, AT, 1001L, "inst-1", "unhealthy"),
        new HibernateInstance(ID, ATTEMPT, AT, 1001L, "inst-1"),
        new WakeInstance(ID, ATTEMPT, AT, 1001L, "inst-1"),
        new StopInstance(ID, ATTEMPT, AT, 1001L, "inst-1"),
        new DeleteInstance(ID, ATTEMPT, AT, 1001L, "inst-1"),
        new InstallSkills(ID, ATTEMPT, AT, 1001L, "inst-1", List.of("weather", "calendar")),
        new UpdateSkills(ID, ATTEMPT, AT, 7L, "inst-1", List.of(), 3L, "CANARY"));
  }

  @Test
  void everyTaskTypeHasAFixture() {
    assertThat(fixtures().map(Task::type)).containsExactlyInAnyOrderElementsOf(TaskCodec.types());
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void encodesToTheFixtureAndDecodesBack(Task task) throws IOException {
    byte[] fixture = fixture(task.type());

    assertThat(json.readTree(codec.encode(task))).isEqualTo(json.readTree(fixture));
    assertThat(codec.decode(fixture)).isEqualTo(task);
    assertThat(codec.decode(codec.encode(task.withAttempt(5))).attempt()).isEqualTo(5);
  }

  @Test
  void keepsTheTenantRelevantForOrdering() {
    assertThat(new HibernateInstance(ID, 1, AT, 5L, "i").orderingKey()).isEqualTo("tenant:5");
    assertThat(new CheckHealth(ID, 1, AT, "n").orderingKey()).isEqualTo("task:" + ID);
    assertThat(CreateInstance.forPool(AT).tenantId()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "[1,2]",
        "{\"schemaVersion\":1}",
        "{\"type\":\"launch_rockets\",\"schemaVersion\":1}",
        "{\"type\":\"check_health\",\"schemaVersion\":2,\"taskId\":\"3f6c1a2e-9b1d-4c1e-8a57-2f0d4b7e9a10\",\"attempt\":1,\"enqueuedAt\":\"2026-01-02T03:04:05Z\",\"workerNode\":\"n\"}",
        "{\"type\":\"check_health\",\"taskId\":\"3f6c1a2e-9b1d-4c1e-8a57-2f0d4b7e9a10\",\"attempt\":1,\"enqueuedAt\":\"2026-01-02T03:04:05Z\",\"workerNode\":\"n\"}",
        "{\"type\":\"check_health\",\"schemaVersion\":1,\"taskId\":\"nope\",\"attempt\":1,\"enqueuedAt\":\"2026-01-02T03:04:05Z\",\"workerNode\":\"n\"}",
        "{\"type\":\"check_health\",\"schemaVersion\":1,\"taskId\":\"3f6c1a2e-9b1d-4c1e-8a57-2f0d4b7e9a10\",\"attempt\":0,\"enqueuedAt\":\"2026-01-02T03:04:05Z\",\"workerNode\":\"n\"}",
        "{\"type\":\"check_health\",\"schemaVersion\":1,\"taskId\":\"3f6c1a2e-9b1d-4c1e-8a57-2f0d4b7e9a10\",\"attempt\":1,\"enqueuedAt\":\"2026-01-02T03:04:05Z\"}",
        "{\"type\":\"check_health\",\"schemaVersion\":1,\"taskId\":\"3f6c1a2e-9b1d-4c1e-8a57-2f0d4b7e9a10\",\"attempt\":1,\"enqueuedAt\":\"2026-01-02T03:04:05Z\",\"workerNode\":\"n\",\"extra\":1}",
        "{\"type\":\"route_message\",\"schemaVersion\":1,\"taskId\":\"3f6c1a2e-9b1d-4c1e-8a57-2f0d4b7e9a10\",\"attempt\":1,\"enqueuedAt\":\"2026-01-02T03:04:05Z\",\"tenant\":null,\"chatId\":1,\"updateId\":null,\"text\":\"x\",\"replyTo\":{\"channel\":\"TELEGRAM\",\"messageId\":null,\"correlationId\":null,\"replyNode\":null}}"
      })
  void rejectsWhatItCannotTrust(String bytes) {
    assertThatThrownBy(() -> codec.decode(bytes.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(UndecodableTaskException.class);
  }

  @Test
  void namesTheUnknownType() {
    assertThatThrownBy(
            () ->
                codec.decode(
                    "{\"type\":\"launch_rockets\",\"schemaVersion\":1}"
                        .getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("unknown task type 'launch_rockets'");
  }

  private static byte[] fixture(String type) throws IOException {
    try (InputStream in = TaskCodecTest.class.getResourceAsStream("/tasks/" + type + ".json")) {
      assertThat(in).as("fixture for %s", type).isNotNull();
      return in.readAllBytes();
    }
  }
}
