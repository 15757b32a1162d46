package io.clawhive.core.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.dropwizard.lifecycle.Managed;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.qpid.server.SystemLauncher;
import org.apache.qpid.server.SystemLauncherListener;
import org.apache.qpid.server.model.Broker;
import org.apache.qpid.server.model.Port;
import org.apache.qpid.server.model.SystemConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An AMQP 0-9-1 broker (Apache Qpid Broker-J) inside this JVM, listening on 127.0.0.1 only and
 * requiring PLAIN credentials. {@link #start()} returns only once a real client connection has
 * succeeded. Port 0 picks a free port; {@link #port()} tells which. Only {@link #stop()} stops it:
 * Qpid's own JVM shutdown hook is removed at start, so on SIGTERM the broker goes down after the
 * consumers and publishers that use it (the node's lifecycle order), not concurrently with them.
 */
public final class EmbeddedBroker implements Managed, AutoCloseable {

  public static final int DEFAULT_PORT = 5673;
  public static final String DEFAULT_USERNAME = "clawhive";
  public static final String VIRTUAL_HOST = EmbeddedBrokerConfig.VIRTUAL_HOST;
  static final String DERBY_DIRECTORY = "derby";
  static final String DERBY_LOG_PROPERTY = "derby.stream.error.file";
  private static final String CONFIG_FILE = "clawhive-broker-config.json";
  private static final String OWNER_ONLY = "rw-------";
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

  private final BrokerStore store;
  private final Path directory;
  private final int requestedPort;
  private final String username;
  private final String password;
  private SystemLauncher launcher;
  private SystemConfig<?> systemConfig;
  private int boundPort = -1;

  public EmbeddedBroker(
      BrokerStore store, Path directory, int port, String username, String password) {
    this.store = Objects.requireNonNull(store, "store");
    this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("broker port must be 0..65535 but was " + port);
    }
    if (port == 5672) {
      throw new IllegalArgumentException("broker port 5672 is RabbitMQ's; choose another");
    }
    this.requestedPort = port;
    this.username = TaskBusChecks.requiredText(username, "username");
    this.password = TaskBusChecks.requiredText(password, "password");
  }

  /** Reads the password kept in {@code file}, creating a random one (mode 0600) if absent. */
  public static String loadOrCreatePassword(Path file) {
    return BrokerPasswords.loadOrCreate(file);
  }

  @Override
  public synchronized void start() {
    if (launcher != null) {
      return;
    }
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new BrokerException("cannot create broker directory " + directory, e);
    }
    if (System.getProperty(DERBY_LOG_PROPERTY) == null) {
      System.setProperty(DERBY_LOG_PROPERTY, directory.resolve("derby.log").toString());
    }
    AtomicReference<SystemConfig<?>> system = new AtomicReference<>();
    SystemLauncher starting = new SystemLauncher(new CapturingListener(system));
    Path configFile = writeInitialConfig();
    try {
      starting.startup(systemAttributes(configFile));
      launcher = starting;
      systemConfig = system.get();
      boundPort = boundAmqpPort(systemConfig);
      QpidShutdownHook.remove(systemConfig);
      verifyConnection();
    } catch (Exception e) {
      launcher = null;
      systemConfig = null;
      shutdownQuietly(starting);
      throw e instanceof BrokerException be
          ? be
          : new BrokerException("embedded broker failed to start in " + directory, e);
    } finally {
      deleteQuietly(configFile);
    }
    LOG.info(
        "Embedded AMQP broker started: 127.0.0.1:{}, store {}, directory {}, vhost {}, user {}",
        boundPort,
        store,
        directory,
        VIRTUAL_HOST,
        username);
  }

  @Override
  public synchronized void stop() {
    if (launcher == null) {
      return;
    }
    shutdownQuietly(launcher);
    launcher = null;
    systemConfig = null;
    LOG.info("Embedded AMQP broker on port {} stopped", boundPort);
  }

  @Override
  public void close() {
    stop();
  }

  /** The port the broker listens on (the real one when started with port 0). */
  public synchronized int port() {
    if (launcher == null) {
      throw new IllegalStateException("embedded broker is not running");
    }
    return boundPort;
  }

  /** Qpid's model of the running broker (for tests in this package). */
  synchronized SystemConfig<?> systemConfig() {
    if (systemConfig == null) {
      throw new IllegalStateException("embedded broker is not running");
    }
    return systemConfig;
  }

  public String username() {
    return username;
  }

  /** The URI (with credentials) to connect to this broker with amqp-client. */
  public String amqpUri() {
    return "amqp://"
        + encode(username)
        + ":"
        + encode(password)
        + "@"
        + EmbeddedBrokerConfig.BIND_ADDRESS
        + ":"
        + port()
        + "/"
        + VIRTUAL_HOST;
  }

  @Override
  public String toString() {
    return "EmbeddedBroker[store=" + store + ", directory=" + directory + "]";
  }

  private Map<String, Object> systemAttributes(Path configFile) {
    Map<String, Object> attributes = new HashMap<>();
    attributes.put("type", "Memory");
    attributes.put("initialConfigurationLocation", configFile.toUri().toString());
    attributes.put("startupLoggedToSystemOut", false);
    attributes.put("preferenceStoreAttributes", Map.of("type", "Noop"));
    attributes.put("context", Map.of("qpid.work_dir", directory.toString()));
    return attributes;
  }

  private Path writeInitialConfig() {
    Map<String, Object> config =
        EmbeddedBrokerConfig.broker(
            store,
            directory.resolve(DERBY_DIRECTORY).toString(),
            requestedPort,
            username,
            password);
    Path file = directory.resolve(CONFIG_FILE);
    try {
      Files.deleteIfExists(file);
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
      new ObjectMapper().writeValue(file.toFile(), config);
      return file;
    } catch (IOException e) {
      throw new BrokerException("cannot write broker configuration " + file, e);
    }
  }

  private static int boundAmqpPort(SystemConfig<?> system) {
    if (system == null) {
      throw new BrokerException("embedded broker did not start (no broker configuration)");
    }
    Broker<?> broker = (Broker<?>) system.getContainer();
    if (broker == null) {
      throw new BrokerException("embedded broker did not start (no broker)");
    }
    return broker.getChildren(Port.class).stream()
        .filter(port -> "AMQP".equals(port.getName()))
        .mapToInt(Port::getBoundPort)
        .filter(port -> port > 0)
        .findFirst()
        .orElseThrow(() -> new BrokerException("embedded broker has no bound AMQP port"));
  }

  private void verifyConnection() {
    ConnectionFactory factory = AmqpConnections.factory(amqpUri());
    factory.setAutomaticRecoveryEnabled(false);
    try (Connection connection = factory.newConnection("clawhive-broker-check")) {
      connection.createChannel().close();
    } catch (Exception e) {
      throw new BrokerException(
          "embedded broker started but refuses connections on port " + boundPort, e);
    }
  }

  private static void shutdownQuietly(SystemLauncher launcher) {
    try {
      launcher.shutdown();
    } catch (RuntimeException e) {
      LOG.warn("Embedded broker shutdown failed: {}", e.toString());
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("Cannot delete broker configuration {}: {}", file, e.toString());
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static final class CapturingListener implements SystemLauncherListener {
    private final AtomicReference<SystemConfig<?>> system;

    CapturingListener(AtomicReference<SystemConfig<?>> system) {
      this.system = system;
    }

    @Override
    public void beforeStartup() {}

    @Override
    public void errorOnStartup(RuntimeException e) {}

    @Override
    public void afterStartup() {}

    @Override
    public void onContainerResolve(SystemConfig<?> config) {
      system.set(config);
    }

    @Override
    public void onContainerClose(SystemConfig<?> config) {}

    @Override
    public void onShutdown(int exitCode) {}

    @Override
    public void exceptionOnShutdown(Exception e) {}
  }
}
