package io.clawhive.worker.standin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A stand-in for {@code openclaw gateway run --port P --bind loopback}, run as a real child
 * process. Reads {@code gateway.auth.token} from the JSON file at OPENCLAW_CONFIG_PATH, plus an
 * optional {@code standin} object: {@code readyDelayMs} (503 on /readyz until then), {@code
 * exitAtStart} (exit with that code at once, e.g. 78), {@code crashAfterMs} (exit 1 then); /readyz
 * also answers 503 while a skill's SKILL.md in the workspace contains {@link #NOT_READY_MARKER}.
 *
 * <p>Serves /healthz, /readyz, {@code POST /v1/chat/completions} (bearer; echo with a per-user turn
 * count; {@value #LONG_ANSWER}N streams an answer of N characters) and bearer-protected controls
 * under /__standin/: {@code crash}, {@code hang} (probes stop answering), {@code hog?mb=N}
 * (allocate N MiB, 0 = until killed), {@code env}, {@code read?path=}, {@code spawn} (a {@code
 * sleep} child, to test tree kills), and {@code exec?cmd=} (TEST HOOK: runs {@code sh -c cmd} as
 * the gateway's own user, inside whatever sandbox it runs in, and answers {@code
 * {"exit":N,"output":"..."}} — lets tests act as a hostile tenant's agent would).
 */
public final class StandInGateway {

  private static final long HOG_CHUNK_BYTES = 4L * 1024 * 1024;
  private static final int PAGE = 4096;
  private static final long EXEC_TIMEOUT_SECONDS = 20;

  /** A chat message "standin:answer-chars=N" is answered with N characters of text. */
  public static final String LONG_ANSWER = "standin:answer-chars=";

  static final int LONG_ANSWER_LINE = 80;

  /** How long every chat answer takes (system property, milliseconds; default none). */
  public static final String ANSWER_DELAY_PROPERTY = "clawhive.standin.answerDelayMs";

  private static final long ANSWER_DELAY_MS = Long.getLong(ANSWER_DELAY_PROPERTY, 0);

  /** A skill whose SKILL.md holds this line makes the stand-in answer /readyz with 503. */
  public static final String NOT_READY_MARKER = "standin: not-ready";

  /** Chat text {@code sleep:<ms> rest}: the stand-in answers after {@code ms} milliseconds. */
  public static final String SLEEP_PREFIX = "sleep:";

  private final String token;
  private final long readyAtMillis;
  private volatile Path skillsDir;
  private final Map<String, Integer> turns = new ConcurrentHashMap<>();
  private final List<byte[]> hog = new ArrayList<>();
  private final CountDownLatch never = new CountDownLatch(1);
  private volatile boolean hanging;

  private StandInGateway(String token, long readyDelayMs) {
    this.token = token;
    this.readyAtMillis = System.currentTimeMillis() + readyDelayMs;
  }

  public static void main(String[] args) throws Exception {
    int port = -1;
    for (int a = 0; a < args.length - 1; a++) {
      if (args[a].equals("--port")) {
        port = Integer.parseInt(args[a + 1]);
      }
    }
    Object config =
        MiniJson.parse(Files.readString(Path.of(System.getenv("OPENCLAW_CONFIG_PATH"))));
    Object exitAtStart = MiniJson.path(config, "standin", "exitAtStart");
    if (exitAtStart != null) {
      System.err.println("stand-in: invalid config, exiting with " + exitAtStart);
      System.exit(((Number) exitAtStart).intValue());
    }
    Object delay = MiniJson.path(config, "standin", "readyDelayMs");
    Object crashAfter = MiniJson.path(config, "standin", "crashAfterMs");
    String token = (String) MiniJson.path(config, "gateway", "auth", "token");
    StandInGateway gateway =
        new StandInGateway(token, delay == null ? 0 : ((Number) delay).longValue());
    Object workspace = MiniJson.path(config, "agents", "defaults", "workspace");
    if (workspace instanceof String dir) {
      gateway.skillsDir = Path.of(dir, "skills");
    }
    // like openclaw's bind "custom": the configured address, and loopback too
    Object bindHost = MiniJson.path(config, "gateway", "customBindHost");
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", gateway::handle);
    server.start();
    if ("custom".equals(MiniJson.path(config, "gateway", "bind")) && bindHost != null) {
      HttpServer custom =
          HttpServer.create(
              new InetSocketAddress(InetAddress.getByName((String) bindHost), port), 50);
      custom.setExecutor(Executors.newFixedThreadPool(8));
      custom.createContext("/", gateway::handle);
      custom.start();
      System.out.println("stand-in gateway listening on " + bindHost + ":" + port);
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("stand-in: SIGTERM, stopping");
                  server.stop(0);
                  Runtime.getRuntime().halt(0);
                }));
    System.out.println("stand-in gateway listening on 127.0.0.1:" + port);
    if (crashAfter != null) {
      Thread.sleep(((Number) crashAfter).longValue());
      System.err.println("stand-in: crashing as configured");
      Runtime.getRuntime().halt(1); // no shutdown hook: that one mimics a clean SIGTERM exit
    }
  }

  /** Like a gateway that a bad skill update broke: any SKILL.md with the marker line. */
  private boolean skillSaysNotReady() {
    Path dir = skillsDir;
    if (dir == null || !Files.isDirectory(dir)) {
      return false;
    }
    try (var skills = Files.list(dir)) {
      return skills.anyMatch(
          skill -> {
            try {
              Path md = skill.resolve("SKILL.md");
              return Files.isRegularFile(md) && Files.readString(md).contains(NOT_READY_MARKER);
            } catch (IOException e) {
              return false;
            }
          });
    } catch (IOException e) {
      return false;
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (path.equals("/healthz") || path.equals("/readyz")) {
        if (hanging) {
          never.await();
        }
        boolean ready =
            path.equals("/healthz")
                || (System.currentTimeMillis() >= readyAtMillis && !skillSaysNotReady());
        send(ex, ready ? 200 : 503, ready ? "{\"ok\":true}" : "{\"ready\":false}");
        return;
      }
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (auth == null || !auth.equals("Bearer " + token)) {
        send(ex, 401, "{\"error\":\"unauthorized\"}");
        return;
      }
      if (path.equals("/v1/chat/completions") && ex.getRequestMethod().equals("POST")) {
        chat(ex);
      } else if (path.startsWith("/__standin/")) {
        control(ex, path.substring("/__standin/".length()));
      } else {
        send(ex, 404, "{\"error\":\"not found\"}");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void chat(HttpExchange ex) throws IOException, InterruptedException {
    Thread.sleep(
        ANSWER_DELAY_MS); // like an agent that thinks (-D of StandIn#programAnsweringAfter)
    Object body =
        MiniJson.parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    String user = String.valueOf(MiniJson.path(body, "user"));
    List<?> messages = (List<?>) MiniJson.path(body, "messages");
    Object last = messages == null || messages.isEmpty() ? null : messages.get(messages.size() - 1);
    String text = String.valueOf(MiniJson.path(last, "content"));
    thinkIfAsked(text);
    int turn = turns.merge(user, 1, Integer::sum);
    if (text.startsWith(LONG_ANSWER)) {
      longAnswer(ex, Long.parseLong(text.substring(LONG_ANSWER.length()).strip()), turn);
      return;
    }
    String reply = "echo: " + text + " (turn " + turn + ")";
    send(
        ex,
        200,
        "{\"id\":\"chatcmpl-standin\",\"object\":\"chat.completion\",\"model\":\"openclaw/default\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
            + MiniJson.quote(reply)
            + "},\"finish_reason\":\"stop\"}]}");
  }

  /**
   * Streams an answer of {@code chars} characters (lines of {@value #LONG_ANSWER_LINE} characters,
   * the last line says the turn) without holding it: a runaway agent's answer, as long as asked.
   */
  private static void longAnswer(HttpExchange ex, long chars, int turn) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, 0); // chunked
    try (OutputStream out = new BufferedOutputStream(ex.getResponseBody(), 64 * 1024)) {
      out.write(
          ("{\"id\":\"chatcmpl-standin-long\",\"object\":\"chat.completion\",\"choices\":[{"
                  + "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"")
              .getBytes(StandardCharsets.UTF_8));
      String tail = "end of turn " + turn;
      long body = Math.max(0, chars - tail.length());
      StringBuilder line = new StringBuilder();
      for (long written = 0; written < body; ) {
        line.setLength(0);
        line.append(String.format("line %08d ", written / LONG_ANSWER_LINE));
        while (line.length() < LONG_ANSWER_LINE - 1) {
          line.append('x');
        }
        line.append('\n');
        int take = (int) Math.min(line.length(), body - written);
        String quoted = MiniJson.quote(line.substring(0, take));
        out.write(quoted.substring(1, quoted.length() - 1).getBytes(StandardCharsets.UTF_8));
        written += take;
      }
      out.write((tail + "\"},\"finish_reason\":\"stop\"}]}").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      System.err.println("stand-in: long answer not read to its end (" + e.getMessage() + ")");
    }
  }

  /** A message starting {@code sleep:<ms> } makes the "agent" work that long before answering. */
  private static void thinkIfAsked(String text) {
    if (!text.startsWith(SLEEP_PREFIX)) {
      return;
    }
    int end = text.indexOf(' ');
    long millis =
        Long.parseLong(text.substring(SLEEP_PREFIX.length(), end < 0 ? text.length() : end));
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void control(HttpExchange ex, String action) throws IOException {
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    switch (action) {
      case "crash" -> {
        send(ex, 200, "{\"crashing\":true}");
        ex.close();
        System.err.println("stand-in: crash requested");
        Runtime.getRuntime().halt(1);
      }
      case "hang" -> {
        hanging = true;
        send(ex, 200, "{\"hanging\":true}");
      }
      case "hog" -> {
        long mb = Long.parseLong(query.getOrDefault("mb", "0"));
        Thread t = new Thread(() -> eat(mb * 1024 * 1024), "hog");
        t.setDaemon(true);
        t.start();
        send(ex, 200, "{\"hogging\":true}");
      }
      case "env" -> send(ex, 200, MiniJson.object(System.getenv()));
      case "read" -> {
        try {
          send(ex, 200, MiniJson.quote(Files.readString(Path.of(query.get("path")))));
        } catch (AccessDeniedException e) {
          send(ex, 403, MiniJson.quote("access denied: " + e.getMessage()));
        }
      }
      case "spawn" -> {
        Process child =
            new ProcessBuilder("sleep", "600")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        send(ex, 200, "{\"pid\":" + child.pid() + "}");
      }
      case "exec" -> exec(ex, query.get("cmd"));
      default -> send(ex, 404, "{\"error\":\"unknown control\"}");
    }
  }

  private static void exec(HttpExchange ex, String cmd) throws IOException {
    Path out = Files.createTempFile("standin-exec", ".out");
    try {
      Process process =
          new ProcessBuilder("sh", "-c", cmd)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      int exit;
      if (process.waitFor(EXEC_TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
        exit = process.exitValue();
      } else {
        process.destroyForcibly();
        exit = -1;
      }
      String output = Files.readString(out);
      send(ex, 200, "{\"exit\":" + exit + ",\"output\":" + MiniJson.quote(output) + "}");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      send(ex, 500, "{\"error\":\"interrupted\"}");
    } catch (IOException e) {
      send(ex, 200, "{\"exit\":-2,\"output\":" + MiniJson.quote(e.toString()) + "}");
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private void eat(long bytes) {
    long eaten = 0;
    while (bytes == 0 || eaten < bytes) {
      byte[] chunk = new byte[(int) HOG_CHUNK_BYTES];
      for (int p = 0; p < chunk.length; p += PAGE) {
        chunk[p] = 1;
      }
      synchronized (hog) {
        hog.add(chunk);
      }
      eaten += chunk.length;
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        return;
      }
    }
    System.out.println("stand-in: holding " + eaten + " bytes");
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> map = new ConcurrentHashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          map.put(
              pair.substring(0, eq),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return map;
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
