package io.clawhive.bench;

import io.clawhive.app.ClawhiveApplication;
import io.clawhive.app.ClawhiveConfiguration;
import io.clawhive.core.broker.EmbeddedBroker;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The real node (all roles) in this JVM from the repository's config.yml: embedded broker and H2,
 * or RabbitMQ / PostgreSQL when given; webhook mode against the fake Bot API; stand-in gateways.
 */
final class BenchNode implements AutoCloseable {

  static final String BOT_TOKEN = "4242:bench-bot-token";
  static final String WEBHOOK_SECRET = "bench-webhook-secret";

  /** Gateway ports apart from the test suites' ranges (42000-44980, 46000-47980). */
  static final int FIRST_GATEWAY_PORT = 48_000;

  static final int LAST_GATEWAY_PORT = 49_980;

  /** The ingress caps each tenant at this (config maximum); the benchmark lifts it that far. */
  static final int RATE_LIMIT_PER_MINUTE = 10_000;

  final String nodeId = "bench-" + UUID.randomUUID().toString().substring(0, 8);
  final Path dataDir;
  private final int brokerPort = freePort();
  private final Map<String, String> overrides = new LinkedHashMap<>();
  private final String amqpUri;
  private final SharedServers db;
  private DropwizardTestSupport<ClawhiveConfiguration> support;

  BenchNode(Path dir, Path config, BenchOptions options, List<String> standIn, String botApiUrl)
      throws Exception {
    this.dataDir = dir.resolve("data");
    Path instances = dir.resolve("instances");
    Files.createDirectories(instances);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    Files.setPosixFilePermissions(instances, PosixFilePermissions.fromString("rwx--x--x"));
    this.amqpUri = options.amqpUri();
    set("dataDir", dataDir.toString());
    set("nodeId", nodeId);
    set("roles", "api,worker,scheduler");
    set("broker.uri", options.amqpUri());
    set("broker.embeddedPort", Integer.toString(brokerPort));
    if (!options.dbUrl().isEmpty()) {
      // a schema of its own on a shared server, dropped at the end
      this.db = new SharedServers(options.dbUrl(), options.dbUser());
      set("storage.url", db.createSchema());
      set("storage.user", options.dbUser());
    } else {
      this.db = null;
      set("storage.url", "");
    }
    set("api.telegram.botToken", BOT_TOKEN);
    set("api.telegram.apiUrl", botApiUrl);
    set("api.telegram.mode", "webhook");
    set("api.telegram.webhookUrl", "https://bot.example.test/telegram/webhook");
    set("api.telegram.webhookSecret", WEBHOOK_SECRET);
    set("api.access.rateLimitPerMinute", Integer.toString(RATE_LIMIT_PER_MINUTE));
    set("api.access.rateLimitBurst", Integer.toString(RATE_LIMIT_PER_MINUTE));
    set("worker.gatewayCommand", String.join(" ", standIn));
    set("worker.pool.size", "1");
    set("worker.capacity", Integer.toString(options.tenants() + 2));
    set("worker.instancesDir", instances.toString());
    set("worker.instanceUserPrefix", "clawbench-");
    set("worker.ports.first", Integer.toString(FIRST_GATEWAY_PORT));
    set("worker.ports.last", Integer.toString(LAST_GATEWAY_PORT));
    set("worker.isolation.mode", "none");
    set("worker.isolation.allowSharedNone", "true");
    set("server.applicationConnectors[0].port", "0");
    set("server.adminConnectors[0].port", "0");
    set("logging.level", "WARN");
    set("logging.appenders[0].type", "file");
    set("logging.appenders[0].currentLogFilename", dir.resolve("node.log").toString());
    set("logging.appenders[0].archive", "false");
    for (Map.Entry<String, String> extra : options.overrides().entrySet()) {
      set(extra.getKey(), extra.getValue());
    }
    support =
        new DropwizardTestSupport<>(
            ClawhiveApplication.class,
            withoutRequestLog(config, dir).toString(),
            overrides.entrySet().stream()
                .map(e -> ConfigOverride.config(e.getKey(), e.getValue()))
                .toArray(ConfigOverride[]::new));
  }

  /** The repository's config with Jetty's request log off (one console line per update). */
  private static Path withoutRequestLog(Path config, Path dir) throws IOException {
    String yaml = Files.readString(config);
    if (yaml.contains("requestLog:") || !yaml.contains("\nserver:\n")) {
      return config;
    }
    Path copy = dir.resolve("config.yml");
    Files.writeString(
        copy, yaml.replace("\nserver:\n", "\nserver:\n  requestLog:\n    appenders: []\n"));
    return copy;
  }

  private void set(String key, String value) {
    overrides.put(key, value);
  }

  BenchNode start() throws Exception {
    support.before();
    return this;
  }

  String webhookUrl() {
    return "http://127.0.0.1:" + support.getLocalPort() + "/telegram/webhook";
  }

  /** The broker the node uses: RabbitMQ's URI, or the embedded broker's with its password. */
  String amqpUri() {
    if (!amqpUri.isEmpty()) {
      return amqpUri;
    }
    String password =
        EmbeddedBroker.loadOrCreatePassword(dataDir.resolve("broker").resolve("password"));
    return "amqp://"
        + EmbeddedBroker.DEFAULT_USERNAME
        + ":"
        + password
        + "@127.0.0.1:"
        + brokerPort
        + "/"
        + EmbeddedBroker.VIRTUAL_HOST;
  }

  @Override
  public void close() throws Exception {
    if (support != null) {
      support.after();
      support = null;
    }
    if (!amqpUri.isEmpty()) {
      SharedServers.deleteWorkerQueue(amqpUri, nodeId);
    }
    if (db != null) {
      db.dropSchema();
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
