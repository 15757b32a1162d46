package io.clawhive.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The part of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that the admin API's description uses:
 * {@code $ref} to {@code #/...}, {@code type} (one or a list), {@code enum}, {@code properties},
 * {@code required}, {@code additionalProperties: false}, {@code items}, {@code minimum}, {@code
 * maximum}, {@code minLength}, {@code maxLength} and the formats {@code date-time} and {@code
 * uuid}. A keyword it does not know fails the check, so the description cannot silently outgrow it.
 */
final class JsonSchemaCheck {
  private static final List<String> KNOWN =
      List.of(
          "$ref",
          "type",
          "enum",
          "properties",
          "required",
          "additionalProperties",
          "items",
          "minimum",
          "maximum",
          "minLength",
          "maxLength",
          "format",
          "description",
          "default");

  private final JsonNode root;

  JsonSchemaCheck(JsonNode root) {
    this.root = root;
  }

  /** What is wrong with {@code value} against {@code schema}; empty when it conforms. */
  List<String> problems(JsonNode value, JsonNode schema) {
    List<String> out = new ArrayList<>();
    check(value, schema, "$", out);
    return out;
  }

  JsonNode resolve(JsonNode schema) {
    JsonNode current = schema;
    while (current.has("$ref")) {
      String ref = current.get("$ref").asText();
      if (!ref.startsWith("#/")) {
        throw new IllegalArgumentException("only local references are supported: " + ref);
      }
      current = root.at(ref.substring(1));
      if (current.isMissingNode()) {
        throw new IllegalArgumentException("dangling reference " + ref);
      }
    }
    return current;
  }

  private void check(JsonNode value, JsonNode schemaOrRef, String at, List<String> out) {
    JsonNode schema = resolve(schemaOrRef);
    for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
      String keyword = it.next();
      if (!KNOWN.contains(keyword)) {
        out.add(at + ": schema keyword '" + keyword + "' is not understood by this check");
      }
    }
    if (schema.has("type") && !typeMatches(value, schema.get("type"))) {
      out.add(at + ": " + kind(value) + " is not of type " + schema.get("type"));
      return;
    }
    if (schema.has("enum") && !value.isNull() && !contains(schema.get("enum"), value)) {
      out.add(at + ": " + value + " is not one of " + schema.get("enum"));
    }
    if (value.isTextual()) {
      checkText(value.asText(), schema, at, out);
    }
    if (value.isNumber()) {
      if (schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
        out.add(at + ": " + value + " < minimum " + schema.get("minimum"));
      }
      if (schema.has("maximum") && value.asDouble() > schema.get("maximum").asDouble()) {
        out.add(at + ": " + value + " > maximum " + schema.get("maximum"));
      }
    }
    if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        check(value.get(i), schema.get("items"), at + "[" + i + "]", out);
      }
    }
    if (value.isObject()) {
      checkObject(value, schema, at, out);
    }
  }

  private void checkObject(JsonNode value, JsonNode schema, String at, List<String> out) {
    JsonNode properties = schema.path("properties");
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText())) {
        out.add(at + ": required property '" + required.asText() + "' is missing");
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (properties.has(field.getKey())) {
        check(field.getValue(), properties.get(field.getKey()), at + "." + field.getKey(), out);
      } else if (schema.path("additionalProperties").isBoolean()
          && !schema.get("additionalProperties").asBoolean()) {
        out.add(at + ": property '" + field.getKey() + "' is not described");
      }
    }
  }

  private static void checkText(String text, JsonNode schema, String at, List<String> out) {
    if (schema.has("minLength") && text.length() < schema.get("minLength").asInt()) {
      out.add(at + ": shorter than " + schema.get("minLength"));
    }
    if (schema.has("maxLength") && text.length() > schema.get("maxLength").asInt()) {
      out.add(at + ": longer than " + schema.get("maxLength"));
    }
    String format = schema.path("format").asText("");
    try {
      switch (format) {
        case "date-time" -> Instant.parse(text);
        case "uuid" -> UUID.fromString(text);
        case "" -> {}
        default -> out.add(at + ": format '" + format + "' is not understood by this check");
      }
    } catch (DateTimeParseException | IllegalArgumentException e) {
      out.add(at + ": '" + text + "' is not a " + format);
    }
  }

  private static boolean typeMatches(JsonNode value, JsonNode type) {
    if (type.isArray()) {
      for (JsonNode one : type) {
        if (typeMatches(value, one)) {
          return true;
        }
      }
      return false;
    }
    return switch (type.asText()) {
      case "null" -> value.isNull();
      case "string" -> value.isTextual();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      case "boolean" -> value.isBoolean();
      case "array" -> value.isArray();
      case "object" -> value.isObject();
      default -> throw new IllegalArgumentException("unknown type " + type);
    };
  }

  private static boolean contains(JsonNode values, JsonNode value) {
    for (JsonNode v : values) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }

  private static String kind(JsonNode value) {
    return value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + value;
  }
}
