package io.clawhive.worker.fakes;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A ClawHub registry on 127.0.0.1 serving what {@code clawhub install/update} 0.23.3 asks for:
 * {@code GET /api/v1/skills/<slug>} (metadata with latest version), {@code GET
 * /api/v1/skills/<slug>/versions/<version>} (one version, for {@code install --version}), {@code
 * GET /api/v1/download?slug=&version=} (a zip holding {@code SKILL.md}) and {@code GET
 * /api/v1/resolve?slug=&hash=}. Every published version stays downloadable; unknown skills and
 * versions get 404. Every request line is recorded.
 */
public final class FakeClawHubRegistry implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long CREATED_AT = 1_790_000_000_000L;

  private record Skill(String slug, String version, String skillMd) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Map<String, Skill> skills = new ConcurrentHashMap<>();
  private final Map<String, Skill> published = new ConcurrentHashMap<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  private FakeClawHubRegistry(InetSocketAddress address) throws IOException {
    server = HttpServer.create(address, 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  public static FakeClawHubRegistry start() throws IOException {
    return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  /** A registry listening on {@code address} (e.g. the worker address namespaces reach). */
  public static FakeClawHubRegistry start(InetSocketAddress address) throws IOException {
    FakeClawHubRegistry registry = new FakeClawHubRegistry(address);
    registry.server.start();
    return registry;
  }

  public String url() {
    return "http://"
        + server.getAddress().getAddress().getHostAddress()
        + ":"
        + server.getAddress().getPort();
  }

  /**
   * Publishes {@code version} of {@code slug}; it becomes the latest, older ones stay downloadable.
   */
  public FakeClawHubRegistry addSkill(String slug, String version, String skillMd) {
    Skill skill = new Skill(slug, version, skillMd);
    published.put(slug + "@" + version, skill);
    skills.put(slug, skill);
    return this;
  }

  /** Request lines seen ("GET /api/v1/skills/x"), in order. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String path = exchange.getRequestURI().getPath();
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
      if (!"GET".equals(exchange.getRequestMethod())) {
        FakeModelServer.respond(
            exchange, 405, "application/json", "{\"error\":\"method not allowed\"}");
      } else if (path.startsWith("/api/v1/skills/") && path.contains("/versions/")) {
        String[] parts = path.substring("/api/v1/skills/".length()).split("/versions/", 2);
        skillVersion(exchange, parts[0], parts[1]);
      } else if (path.startsWith("/api/v1/skills/")) {
        skillMetadata(exchange, path.substring("/api/v1/skills/".length()));
      } else if (path.equals("/api/v1/download")) {
        download(exchange, query);
      } else if (path.equals("/api/v1/resolve")) {
        resolve(exchange, query);
      } else {
        notFound(exchange, "no route " + path);
      }
    } finally {
      exchange.close();
    }
  }

  private void skillMetadata(HttpExchange exchange, String slug) throws IOException {
    Skill skill = skills.get(slug);
    if (skill == null) {
      notFound(exchange, "Skill not found");
      return;
    }
    ObjectNode root = JSON.createObjectNode();
    ObjectNode meta = root.putObject("skill");
    meta.put("slug", skill.slug());
    meta.put("displayName", skill.slug());
    meta.put("summary", "test skill " + skill.slug());
    meta.putObject("tags").put("latest", skill.version());
    meta.putObject("stats");
    meta.put("createdAt", CREATED_AT);
    meta.put("updatedAt", CREATED_AT);
    ObjectNode latest = root.putObject("latestVersion");
    latest.put("version", skill.version());
    latest.put("createdAt", CREATED_AT);
    latest.put("changelog", "");
    root.putNull("owner");
    FakeModelServer.respond(exchange, 200, "application/json", root.toString());
  }

  private void skillVersion(HttpExchange exchange, String slug, String version) throws IOException {
    Skill skill = published.get(slug + "@" + version);
    if (skill == null) {
      notFound(exchange, "Version not found");
      return;
    }
    ObjectNode root = JSON.createObjectNode();
    ObjectNode v = root.putObject("version");
    v.put("version", version);
    v.put("createdAt", CREATED_AT);
    v.put("changelog", "");
    ObjectNode meta = root.putObject("skill");
    meta.put("slug", slug);
    meta.put("displayName", slug);
    FakeModelServer.respond(exchange, 200, "application/json", root.toString());
  }

  private void download(HttpExchange exchange, Map<String, String> query) throws IOException {
    String slug = query.getOrDefault("slug", "");
    String version = query.get("version");
    Skill skill = version == null ? skills.get(slug) : published.get(slug + "@" + version);
    if (skill == null) {
      notFound(exchange, "Version not found");
      return;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("SKILL.md"));
      zip.write(skill.skillMd().getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    byte[] body = bytes.toByteArray();
    exchange.getResponseHeaders().set("Content-Type", "application/zip");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
  }

  private void resolve(HttpExchange exchange, Map<String, String> query) throws IOException {
    Skill skill = skills.get(query.getOrDefault("slug", ""));
    if (skill == null) {
      notFound(exchange, "Skill not found");
      return;
    }
    ObjectNode root = JSON.createObjectNode();
    root.putNull("match");
    root.putObject("latestVersion").put("version", skill.version());
    FakeModelServer.respond(exchange, 200, "application/json", root.toString());
  }

  private static void notFound(HttpExchange exchange, String message) throws IOException {
    FakeModelServer.respond(
        exchange,
        404,
        "application/json",
        JSON.createObjectNode().put("error", message).toString());
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> result = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return result;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      result.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return result;
  }
}
