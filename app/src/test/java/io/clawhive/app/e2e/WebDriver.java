package io.clawhive.app.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A W3C WebDriver session with headless Debian Chromium through {@code chromedriver}, spoken as
 * plain JSON over HTTP (no Selenium). Chromium runs with the flags that keep it off the network (no
 * background networking, component updates, sync or QUIC) and a fresh profile directory.
 */
final class WebDriver implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final Process driver;
  private final String base;
  private final String session;

  static boolean available() {
    return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
  }

  WebDriver(Path profileDir, Path driverLog) throws Exception {
    int port = E2eNode.freePort();
    driver =
        new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
            .redirectErrorStream(true)
            .redirectOutput(driverLog.toFile())
            .start();
    base = "http://127.0.0.1:" + port;
    try {
      session = startSession(profileDir);
    } catch (Exception | AssertionError e) {
      driver.destroyForcibly();
      throw e;
    }
  }

  private String startSession(Path profileDir) throws Exception {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () ->
                http.send(
                            HttpRequest.newBuilder(URI.create(base + "/status")).build(),
                            HttpResponse.BodyHandlers.ofString())
                        .statusCode()
                    == 200);
    ObjectNode options = json.createObjectNode().put("binary", CHROMIUM.toString());
    options
        .putArray("args")
        .add("--headless")
        .add("--no-sandbox")
        .add("--disable-gpu")
        .add("--disable-quic")
        .add("--no-first-run")
        .add("--disable-background-networking")
        .add("--disable-component-update")
        .add("--disable-sync")
        .add("--disable-dev-shm-usage")
        .add("--window-size=1280,1400")
        .add("--user-data-dir=" + profileDir);
    ObjectNode body = json.createObjectNode();
    ObjectNode always = body.putObject("capabilities").putObject("alwaysMatch");
    always.put("browserName", "chrome").set("goog:chromeOptions", options);
    return call("POST", base + "/session", body).path("sessionId").asText();
  }

  void open(String url) throws Exception {
    command("POST", "/url", json.createObjectNode().put("url", url));
  }

  String currentUrl() throws Exception {
    return command("GET", "/url", null).asText();
  }

  String title() throws Exception {
    return command("GET", "/title", null).asText();
  }

  /** The element's id, or an {@link IllegalStateException} naming what is missing. */
  String find(String css) throws Exception {
    JsonNode value =
        command(
            "POST",
            "/element",
            json.createObjectNode().put("using", "css selector").put("value", css));
    return value.path(ELEMENT).asText();
  }

  List<String> texts(String css) throws Exception {
    JsonNode found =
        command(
            "POST",
            "/elements",
            json.createObjectNode().put("using", "css selector").put("value", css));
    List<String> out = new java.util.ArrayList<>();
    for (JsonNode element : found) {
      out.add(
          command("GET", "/element/" + element.path(ELEMENT).asText() + "/text", null).asText());
    }
    return out;
  }

  String text(String css) throws Exception {
    return command("GET", "/element/" + find(css) + "/text", null).asText();
  }

  void type(String css, String text) throws Exception {
    command("POST", "/element/" + find(css) + "/value", json.createObjectNode().put("text", text));
  }

  void click(String css) throws Exception {
    command("POST", "/element/" + find(css) + "/click", json.createObjectNode());
  }

  JsonNode cookies() throws Exception {
    return command("GET", "/cookie", null);
  }

  String pageSource() throws Exception {
    return command("GET", "/source", null).asText();
  }

  void screenshot(Path png) throws Exception {
    Files.createDirectories(png.getParent());
    Files.write(png, Base64.getDecoder().decode(command("GET", "/screenshot", null).asText()));
  }

  private JsonNode command(String method, String path, JsonNode body) throws Exception {
    return call(method, base + "/session/" + session + path, body);
  }

  private JsonNode call(String method, String url, JsonNode body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(CALL_TIMEOUT)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    JsonNode answer = json.readTree(response.body());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          method + " " + url + " -> " + response.statusCode() + ": " + answer.path("value"));
    }
    return answer.path("value");
  }

  @Override
  public void close() throws Exception {
    try {
      call("DELETE", base + "/session/" + session, null);
    } finally {
      driver.destroy();
      if (!driver.waitFor(10, TimeUnit.SECONDS)) {
        driver.destroyForcibly();
      }
    }
  }
}
