package io.clawhive.worker.modelproxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** OpenAI-shaped error answers ({@code {"error": {"message", "type", "code"}}}). */
final class ProxyErrors {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ProxyErrors() {}

  static String body(String message, String type, String code) {
    ObjectNode root = JSON.createObjectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.put("code", code);
    return root.toString();
  }

  static void send(HttpExchange exchange, int status, String message, String type, String code)
      throws IOException {
    sendJson(exchange, status, body(message, type, code).getBytes(StandardCharsets.UTF_8));
  }

  static void sendJson(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
  }
}
