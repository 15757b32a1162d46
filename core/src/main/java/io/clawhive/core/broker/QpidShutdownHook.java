package io.clawhive.core.broker;

import java.lang.reflect.Field;
import org.apache.qpid.server.model.SystemConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Qpid Broker-J's {@code BrokerImpl} registers a JVM shutdown hook ({@code QpidBrokerShutdownHook})
 * when it opens, with no setting to turn it off. On SIGTERM that hook closes the broker at the same
 * time as the application's own shutdown, so the broker dropped the connections of consumers and
 * publishers that were still stopping. The embedded broker is stopped by its owner instead: this
 * removes the hook (Qpid itself removes it the same way when the broker closes).
 */
final class QpidShutdownHook {
  static final String FIELD = "_shutdownHook";
  private static final Logger LOG = LoggerFactory.getLogger(QpidShutdownHook.class);

  private QpidShutdownHook() {}

  /**
   * Removes the hook of the broker inside {@code system}; fails when this Qpid version keeps it
   * elsewhere (a Qpid upgrade must be looked at, not silently race again).
   */
  static void remove(SystemConfig<?> system) {
    Object broker = system.getContainer();
    Thread hook = hookOf(broker);
    boolean removed = Runtime.getRuntime().removeShutdownHook(hook);
    LOG.debug("Qpid shutdown hook {} removed: {}", hook.getName(), removed);
  }

  static Thread hookOf(Object broker) {
    for (Class<?> type = broker.getClass(); type != null; type = type.getSuperclass()) {
      try {
        Field field = type.getDeclaredField(FIELD);
        field.setAccessible(true);
        if (field.get(broker) instanceof Thread thread) {
          return thread;
        }
      } catch (NoSuchFieldException e) {
        // look in the superclass
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new BrokerException("cannot read Qpid's shutdown hook of " + type.getName(), e);
      }
    }
    throw new BrokerException(
        "Qpid broker "
            + broker.getClass().getName()
            + " has no shutdown hook field "
            + FIELD
            + "; check EmbeddedBroker against this Qpid version");
  }
}
