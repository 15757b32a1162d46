package io.clawhive.core.telegram;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.api.objects.message.Message;

/**
 * Reads one update tree into telegrambots-meta's {@link Update}. Unknown fields are ignored at
 * every level (Telegram adds fields in every Bot API version); a known field of an unexpected type,
 * or a message missing what every message has (id, date, chat), makes the update not understood.
 */
final class UpdateReader {

  /** Reasons are for people reading a row; a Jackson message can quote a whole input. */
  static final int MAX_PROBLEM_CHARS = 500;

  private final ObjectMapper json =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The tree's {@code update_id} if it is an integer, empty otherwise (or for a non-object). */
  static OptionalLong updateId(JsonNode tree) {
    JsonNode id = tree == null ? null : tree.get("update_id");
    return tree != null
            && tree.isObject()
            && id != null
            && id.isIntegralNumber()
            && id.canConvertToLong()
        ? OptionalLong.of(id.asLong())
        : OptionalLong.empty();
  }

  /** The update, understood or not; empty only when the tree has no usable {@code update_id}. */
  Optional<IncomingUpdate> read(JsonNode tree) {
    OptionalLong updateId = updateId(tree);
    if (updateId.isEmpty()) {
      return Optional.empty();
    }
    String raw = tree.toString();
    Update update;
    try {
      update = json.treeToValue(tree, Update.class);
    } catch (JacksonException | IllegalArgumentException e) {
      return Optional.of(IncomingUpdate.notUnderstood(updateId.getAsLong(), describe(e), raw));
    }
    String missing = missingParts(update);
    return Optional.of(
        missing == null
            ? IncomingUpdate.understood(update, raw)
            : IncomingUpdate.notUnderstood(updateId.getAsLong(), missing, raw));
  }

  private static String missingParts(Update update) {
    if (update.getUpdateId() == null) {
      return "update_id: out of range";
    }
    Message message = update.getMessage();
    if (message == null) {
      return null;
    }
    if (message.getMessageId() == null || message.getDate() == null) {
      return "message: message_id or date missing";
    }
    if (message.getChat() == null || message.getChat().getId() == null) {
      return "message.chat: missing or without id";
    }
    if (message.getFrom() != null && message.getFrom().getId() == null) {
      return "message.from: without id";
    }
    return null;
  }

  /** "message.chat.id: Cannot deserialize value of type `java.lang.Long` from String "abc"…". */
  private static String describe(Exception e) {
    String text;
    if (e instanceof JsonMappingException mapping) {
      String path =
          mapping.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."))
              .replace(".[", "[");
      String first = String.valueOf(mapping.getOriginalMessage()).lines().findFirst().orElse("");
      text = (path.isEmpty() ? "" : path + ": ") + first;
    } else {
      text = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    return text.length() <= MAX_PROBLEM_CHARS ? text : text.substring(0, MAX_PROBLEM_CHARS);
  }
}
