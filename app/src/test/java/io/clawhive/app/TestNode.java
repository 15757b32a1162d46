package io.clawhive.app;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Starts the whole node from the repository's config.yml for tests in this package: embedded H2 and
 * broker under {@code dataDir}, free ports, logging to {@code log}; {@code overrides} replace or
 * add config values. The caller stops it with {@link DropwizardTestSupport#after}.
 */
final class TestNode {
  static final Path CONFIG = Path.of("..", "config.yml").toAbsolutePath().normalize();

  private TestNode() {}

  static DropwizardTestSupport<ClawhiveConfiguration> start(
      Path dataDir,
      String nodeId,
      String roles,
      int brokerPort,
      Path log,
      Map<String, String> overrides)
      throws Exception {
    Map<String, String> values = new LinkedHashMap<>();
    values.put("dataDir", dataDir.toString());
    values.put("nodeId", nodeId);
    values.put("roles", roles);
    values.put("storage.url", "");
    values.put("broker.uri", "");
    values.put("broker.embeddedPort", Integer.toString(brokerPort));
    values.put("server.applicationConnectors[0].port", "0");
    values.put("server.adminConnectors[0].port", "0");
    values.put("worker.modelProxy.port", "0");
    values.put("logging.appenders[0].type", "file");
    values.put("logging.appenders[0].currentLogFilename", log.toString());
    values.put("logging.appenders[0].archive", "false");
    values.putAll(overrides);
    var support =
        new DropwizardTestSupport<>(
            ClawhiveApplication.class,
            CONFIG.toString(),
            values.entrySet().stream()
                .map(e -> ConfigOverride.config(e.getKey(), e.getValue()))
                .toArray(ConfigOverride[]::new));
    support.before();
    return support;
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
