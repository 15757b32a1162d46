package io.clawhive.core.broker;

import java.util.List;
import java.util.Map;

/** Builds the Qpid Broker-J initial configuration (model objects as plain maps). */
final class EmbeddedBrokerConfig {

  static final String MODEL_VERSION = "9.1";
  static final String VIRTUAL_HOST = "clawhive";
  static final String BIND_ADDRESS = "127.0.0.1";
  private static final String AUTH_PROVIDER = "clawhive-plain";
  private static final String UNKNOWN_ARGUMENT_CONTEXT = "queue.behaviourOnUnknownDeclareArgument";
  private static final String IGNORE = "IGNORE";

  private EmbeddedBrokerConfig() {}

  static Map<String, Object> broker(
      BrokerStore store, String derbyStorePath, int port, String username, String password) {
    return Map.of(
        "name", "clawhive-embedded",
        "modelVersion", MODEL_VERSION,
        "context", Map.of(UNKNOWN_ARGUMENT_CONTEXT, IGNORE),
        "authenticationproviders", List.of(authentication(username, password)),
        "ports", List.of(amqpPort(port)),
        "virtualhostnodes", List.of(virtualHostNode(store, derbyStorePath)));
  }

  private static Map<String, Object> authentication(String username, String password) {
    return Map.of(
        "name",
        AUTH_PROVIDER,
        "type",
        "Plain",
        "secureOnlyMechanisms",
        List.of(),
        "users",
        List.of(Map.of("name", username, "type", "managed", "password", password)));
  }

  private static Map<String, Object> amqpPort(int port) {
    return Map.of(
        "name",
        "AMQP",
        "type",
        "AMQP",
        "port",
        port,
        "bindingAddress",
        BIND_ADDRESS,
        "protocols",
        List.of("AMQP_0_9_1"),
        "authenticationProvider",
        AUTH_PROVIDER,
        "virtualhostaliases",
        List.of(
            Map.of("name", "nameAlias", "type", "nameAlias"),
            Map.of("name", "defaultAlias", "type", "defaultAlias")));
  }

  private static Map<String, Object> virtualHostNode(BrokerStore store, String derbyStorePath) {
    return switch (store) {
      case DERBY ->
          Map.of(
              "name",
              VIRTUAL_HOST,
              "type",
              "DERBY",
              "defaultVirtualHostNode",
              true,
              "storePath",
              derbyStorePath,
              "virtualHostInitialConfiguration",
              "{\"type\":\"ProvidedStore\"}");
      case MEMORY ->
          Map.of(
              "name",
              VIRTUAL_HOST,
              "type",
              "Memory",
              "defaultVirtualHostNode",
              true,
              "virtualHostInitialConfiguration",
              "{\"type\":\"Memory\"}");
    };
  }
}
