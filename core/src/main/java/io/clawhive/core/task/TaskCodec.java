package io.clawhive.core.task;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * JSON wire format of {@link Task}s: an object with {@code type}, {@code schemaVersion} and the
 * record's fields. Strict on decode: unknown types, other schema versions, unknown or missing
 * fields and invalid values all raise {@link UndecodableTaskException}. Thread-safe.
 */
public final class TaskCodec {

  public static final String TYPE_FIELD = "type";
  public static final String SCHEMA_VERSION_FIELD = "schemaVersion";
  public static final int SCHEMA_VERSION = 1;

  private static final Map<String, Class<? extends Task>> TYPES =
      Map.of(
          CreateInstance.TYPE, CreateInstance.class,
          RouteMessage.TYPE, RouteMessage.class,
          CheckHealth.TYPE, CheckHealth.class,
          RestartInstance.TYPE, RestartInstance.class,
          HibernateInstance.TYPE, HibernateInstance.class,
          WakeInstance.TYPE, WakeInstance.class,
          StopInstance.TYPE, StopInstance.class,
          DeleteInstance.TYPE, DeleteInstance.class,
          InstallSkills.TYPE, InstallSkills.class,
          UpdateSkills.TYPE, UpdateSkills.class);

  private final ObjectMapper mapper =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The wire names of all task types. */
  public static Set<String> types() {
    return TYPES.keySet();
  }

  public byte[] encode(Task task) {
    ObjectNode node = mapper.createObjectNode();
    node.put(TYPE_FIELD, task.type());
    node.put(SCHEMA_VERSION_FIELD, SCHEMA_VERSION);
    node.setAll((ObjectNode) mapper.valueToTree(task));
    try {
      return mapper.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode task " + task.taskId(), e);
    }
  }

  public Task decode(byte[] bytes) {
    JsonNode tree = readTree(bytes);
    if (!(tree instanceof ObjectNode object)) {
      throw new UndecodableTaskException("task is not a JSON object");
    }
    Class<? extends Task> type = typeOf(object);
    checkSchemaVersion(object);
    object.remove(TYPE_FIELD);
    object.remove(SCHEMA_VERSION_FIELD);
    try {
      return mapper.treeToValue(object, type);
    } catch (JacksonException | IllegalArgumentException e) {
      throw new UndecodableTaskException("invalid " + type.getSimpleName() + ": " + reason(e), e);
    }
  }

  private static String reason(Exception e) {
    return e instanceof JacksonException jackson ? jackson.getOriginalMessage() : e.getMessage();
  }

  private JsonNode readTree(byte[] bytes) {
    try {
      return mapper.readTree(bytes);
    } catch (IOException e) {
      throw new UndecodableTaskException("task is not JSON: " + e.getMessage(), e);
    }
  }

  private static Class<? extends Task> typeOf(ObjectNode object) {
    JsonNode type = object.get(TYPE_FIELD);
    if (type == null || !type.isTextual()) {
      throw new UndecodableTaskException("task has no type");
    }
    Class<? extends Task> taskClass = TYPES.get(type.asText());
    if (taskClass == null) {
      throw new UndecodableTaskException("unknown task type '" + type.asText() + "'");
    }
    return taskClass;
  }

  private static void checkSchemaVersion(ObjectNode object) {
    JsonNode version = object.get(SCHEMA_VERSION_FIELD);
    if (version == null || !version.isInt() || version.intValue() != SCHEMA_VERSION) {
      throw new UndecodableTaskException(
          "unsupported schemaVersion " + version + " (supported: " + SCHEMA_VERSION + ")");
    }
  }
}
