package io.clawhive.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code net.ipv4.ip_forward}, set deliberately: namespaces reach the internet only through the
 * host forwarding for them. When forwarding was off, nothing at all was forwarded before; so the
 * FORWARD chain's policy is set to DROP first, and only the namespace chains ({@link
 * NamespaceRules}) accept anything: turning this host into a router for its other interfaces is
 * never a side effect. When forwarding was already on, the operator routes on purpose and the
 * policy is left as it is (our chain is inserted first and decides every packet of a veth).
 */
final class HostForwarding {

  private static final Logger LOG = LoggerFactory.getLogger(HostForwarding.class);
  static final Path IP_FORWARD = Path.of("/proc/sys/net/ipv4/ip_forward");

  private final Path iptables;

  HostForwarding(Path iptables) {
    this.iptables = iptables;
  }

  static boolean enabled() {
    try {
      return Files.readString(IP_FORWARD).trim().equals("1");
    } catch (IOException e) {
      return false;
    }
  }

  /** Turns forwarding on when it is off (policy DROP first); returns true when it changed it. */
  synchronized boolean ensure() {
    if (enabled()) {
      return false;
    }
    HostTool.Result policy =
        HostTool.run(
            List.of(
                iptables.toString(),
                "-w",
                EgressPolicy.XTABLES_LOCK_WAIT,
                "-P",
                "FORWARD",
                "DROP"));
    if (!policy.ok()) {
      throw new IllegalStateException("cannot set FORWARD policy DROP: " + policy.firstLine());
    }
    try {
      Files.writeString(IP_FORWARD, "1");
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + IP_FORWARD + ": " + e.getMessage(), e);
    }
    LOG.warn(
        "net.ipv4.ip_forward was 0: set to 1 for the instances' network namespaces, with FORWARD"
            + " policy DROP so that only namespace traffic allowed by the egress policy is"
            + " forwarded");
    return true;
  }
}
