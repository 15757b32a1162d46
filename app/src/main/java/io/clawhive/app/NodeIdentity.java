package io.clawhive.app;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.core.server.ServerFactory;
import io.dropwizard.jetty.ConnectorFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Works out this node's id: the configured one, else host name + ":" + application port. */
final class NodeIdentity {
  private NodeIdentity() {}

  static String resolve(ClawhiveConfiguration configuration) {
    String configured = configuration.configuredNodeId();
    if (!configured.isEmpty()) {
      return configured;
    }
    return hostName() + ":" + applicationPort(configuration.getServerFactory());
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? "localhost" : env;
    }
  }

  private static int applicationPort(ServerFactory serverFactory) {
    if (serverFactory instanceof DefaultServerFactory defaults) {
      for (ConnectorFactory connector : defaults.getApplicationConnectors()) {
        if (connector instanceof HttpConnectorFactory http) {
          return http.getPort();
        }
      }
    }
    return 0;
  }
}
