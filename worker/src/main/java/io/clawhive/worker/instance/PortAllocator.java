package io.clawhive.worker.instance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Picks gateway base ports from {@code [firstPort, lastPort]} in steps of {@code stride}. OpenClaw
 * derives extra ports from its base port (browser control at base+2, CDP ports above), so bases are
 * at least {@link #MIN_STRIDE} apart. Uniqueness across instances is finally enforced by storage
 * (UNIQUE(worker_node, port)); this class skips ports known to be used and ports something else
 * already listens on.
 */
public final class PortAllocator {

  public static final int MIN_STRIDE = 20;
  public static final int DEFAULT_FIRST_PORT = 20_000;
  public static final int DEFAULT_LAST_PORT = 29_999;
  public static final int DEFAULT_STRIDE = MIN_STRIDE;
  private static final int MIN_PORT = 1024;
  private static final int MAX_PORT = 65_535;

  private final int firstPort;
  private final int lastPort;
  private final int stride;

  public PortAllocator(int firstPort, int lastPort, int stride) {
    if (firstPort < MIN_PORT || lastPort > MAX_PORT || firstPort > lastPort) {
      throw new IllegalArgumentException(
          "port range must lie within "
              + MIN_PORT
              + ".."
              + MAX_PORT
              + ": "
              + firstPort
              + ".."
              + lastPort);
    }
    if (stride < MIN_STRIDE) {
      throw new IllegalArgumentException("stride must be >= " + MIN_STRIDE + ", was " + stride);
    }
    this.firstPort = firstPort;
    this.lastPort = lastPort;
    this.stride = stride;
  }

  public static PortAllocator defaults() {
    return new PortAllocator(DEFAULT_FIRST_PORT, DEFAULT_LAST_PORT, DEFAULT_STRIDE);
  }

  /** How many instances the range holds. */
  public int capacity() {
    return (lastPort - firstPort) / stride + 1;
  }

  /**
   * How many base ports of the range are not in {@code used} (every instance of the worker keeps
   * its port until deleted, a hibernated one too); what host listeners hold is not subtracted.
   */
  public int free(Set<Integer> used) {
    int free = 0;
    for (int port = firstPort; port <= lastPort; port += stride) {
      if (!used.contains(port)) {
        free++;
      }
    }
    return free;
  }

  /** The first base port not in {@code used} and free on loopback, or empty when full. */
  public OptionalInt allocate(Set<Integer> used) {
    return allocate(used, true);
  }

  /**
   * The first base port not in {@code used}, or empty when full. {@code checkHost}: also skip ports
   * something listens on at the host's loopback; without it (gateways in their own network
   * namespaces, where a host listener cannot interfere) a tenant squatting host ports cannot stop
   * provisioning.
   */
  public OptionalInt allocate(Set<Integer> used, boolean checkHost) {
    for (int port = firstPort; port <= lastPort; port += stride) {
      if (!used.contains(port) && (!checkHost || isFreeOnLoopback(port))) {
        return OptionalInt.of(port);
      }
    }
    return OptionalInt.empty();
  }

  /**
   * The instance's number on this worker, derived from its base port (unique per worker in storage,
   * kept for the instance's life): picks its network namespace's addresses.
   */
  public int slotOf(int port) {
    if (port < firstPort || port > lastPort || (port - firstPort) % stride != 0) {
      throw new IllegalArgumentException(
          "port "
              + port
              + " is not a base port of the range "
              + firstPort
              + ".."
              + lastPort
              + " step "
              + stride
              + " (was the port range changed?)");
    }
    return (port - firstPort) / stride;
  }

  static boolean isFreeOnLoopback(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
