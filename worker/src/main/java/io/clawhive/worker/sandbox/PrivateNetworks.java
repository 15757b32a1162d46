package io.clawhive.worker.sandbox;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-instance network namespaces of a worker (modes sandbox and user) and the rules for their
 * traffic. Why this is the tenant boundary: a gateway listens on its namespace's address, which is
 * routed by the host only into that namespace's veth. Nobody else can listen there: another
 * tenant's processes live in another namespace (entering one needs CAP_SYS_ADMIN over the host's
 * namespaces, which a tenant never has), cannot add or move addresses (no CAP_NET_ADMIN over its
 * own namespace either: it runs as an unprivileged uid, and bwrap's user namespace owns no network
 * namespace it is in), and host processes other than root cannot take an address at all. So a
 * connection to that address and port reaches that instance's gateway or nothing, and the worker
 * may send its token and its messages there. Squatting host ports changes nothing.
 */
final class PrivateNetworks {

  private static final Logger LOG = LoggerFactory.getLogger(PrivateNetworks.class);

  private final AddressPool pool;
  private final NetworkNamespaces namespaces;
  private final NamespaceEgress egress;
  private final HostForwarding forwarding;
  private final int modelProxyPort;
  private final boolean allowNameservers;
  private final Map<String, InstanceNetwork> instances = new ConcurrentHashMap<>();
  private volatile List<InetAddress> nameservers;

  PrivateNetworks(
      AddressPool pool,
      NetworkNamespaces namespaces,
      Path iptablesPath,
      String chain,
      int modelProxyPort,
      List<EgressAllowance> allowances,
      boolean allowNameservers) {
    this.pool = pool;
    this.namespaces = namespaces;
    this.forwarding = new HostForwarding(iptablesPath);
    this.modelProxyPort = modelProxyPort;
    this.allowNameservers = allowNameservers;
    this.nameservers = Resolvers.forNamespaces();
    this.egress =
        new NamespaceEgress(
            iptablesPath,
            new NamespaceRules(
                chain,
                pool,
                pool.workerAddress(),
                modelProxyPort,
                allowances,
                allowNameservers ? nameservers : List.of()));
  }

  /**
   * Prepares the host: refuses a pool that overlaps a host address or route, puts the worker's
   * address on lo, turns forwarding on and installs the rules (for no instance yet).
   */
  void start() {
    overlap(namespaces.hostAddressesAndRoutes())
        .ifPresent(
            line -> {
              throw new IllegalArgumentException(
                  "isolation.networkPool "
                      + pool
                      + " overlaps this host's address or route \""
                      + line.strip()
                      + "\": set isolation.networkPool (CLAWHIVE_NETWORK_POOL) to an unused"
                      + " private range");
            });
    namespaces.ensureWorkerAddress(pool.workerAddress());
    forwarding.ensure();
    egress.install(networks());
    if (nameservers.isEmpty()) {
      LOG.warn(
          "no name server reachable from the instances' namespaces (/etc/resolv.conf lists only"
              + " loopback ones and no systemd-resolved upstreams were found): tenants get no DNS");
    }
    LOG.info(
        "network namespaces: pool {} ({} slots), worker address {} (model proxy port {}),"
            + " name servers {}",
        pool,
        pool.capacity(),
        pool.workerAddress().getHostAddress(),
        modelProxyPort,
        nameservers);
  }

  int capacity() {
    return pool.capacity();
  }

  Inet4Address workerAddress() {
    return pool.workerAddress();
  }

  int modelProxyPort() {
    return modelProxyPort;
  }

  Optional<InstanceNetwork> of(String instanceId) {
    return Optional.ofNullable(instances.get(instanceId));
  }

  /** Creates (or re-adopts) the instance's namespace and lets its veth through the rules. */
  synchronized InstanceNetwork add(String instanceId, int slot) {
    InstanceNetwork net = pool.slot(slot);
    instances.values().stream()
        .filter(n -> n.slot() == slot)
        .findFirst()
        .filter(n -> !instanceId.equals(idOf(n)))
        .ifPresent(
            n -> {
              throw new IllegalStateException(
                  "network slot " + slot + " is already used by instance " + idOf(n));
            });
    namespaces.ensure(net, nameservers);
    instances.put(instanceId, net);
    egress.install(networks());
    return net;
  }

  synchronized void remove(String instanceId) {
    InstanceNetwork net = instances.remove(instanceId);
    if (net != null) {
      egress.install(networks());
      namespaces.remove(net);
    }
  }

  /** Removes namespaces and veths of this pool whose slot no known instance uses. */
  synchronized int removeLeftovers(Set<Integer> slotsInUse) {
    int removed = 0;
    for (long address : namespaces.present()) {
      int slot = pool.slotOfHostAddress((int) address);
      if (slot >= 0 && !slotsInUse.contains(slot)) {
        InstanceNetwork net = pool.slot(slot);
        LOG.info("removing leftover network namespace {} of a deleted instance", net.namespace());
        namespaces.remove(net);
        removed++;
      }
    }
    return removed;
  }

  /**
   * One repair pass: name servers re-read (rules and resolv.conf files rewritten when they
   * changed), forwarding, the worker address, every namespace and every chain and jump checked and
   * put back. Returns how many things had to be repaired.
   */
  synchronized int repair() {
    int repairs = 0;
    List<InetAddress> servers = Resolvers.forNamespaces();
    boolean serversChanged = !servers.equals(nameservers);
    if (serversChanged) {
      LOG.info("name servers changed from {} to {}: namespaces updated", nameservers, servers);
      nameservers = servers;
      egress.nameservers(allowNameservers ? servers : List.of());
    }
    if (forwarding.ensure()) {
      repairs++;
    }
    namespaces.ensureWorkerAddress(pool.workerAddress());
    for (InstanceNetwork net : networks()) {
      if (namespaces.ensure(net, servers)) {
        LOG.warn("network namespace {} was incomplete: rebuilt", net.namespace());
        repairs++;
      }
    }
    List<String> problems = egress.problems(networks());
    if (!problems.isEmpty() || serversChanged) {
      if (!problems.isEmpty()) {
        LOG.warn("namespace egress rules damaged ({}): reinstalled", String.join("; ", problems));
        repairs += problems.size();
      }
      egress.install(networks());
    }
    return repairs;
  }

  List<String> problems() {
    List<String> problems = new ArrayList<>(egress.problems(networks()));
    if (!HostForwarding.enabled()) {
      problems.add("net.ipv4.ip_forward is 0");
    }
    return problems;
  }

  /**
   * Removes every namespace of the pool on this host (also those of instances this object never
   * saw), the rules and the worker address (node out of service, tests).
   */
  synchronized void uninstall() {
    for (String id : List.copyOf(instances.keySet())) {
      namespaces.remove(instances.remove(id));
    }
    removeLeftovers(Set.of());
    egress.uninstall();
    namespaces.removeWorkerAddress(pool.workerAddress());
  }

  List<String> listRules(String table, String chain) {
    return egress.listRules(table, chain);
  }

  NamespaceRules rules() {
    return egress.rules();
  }

  NetworkNamespaces namespaces() {
    return namespaces;
  }

  private List<InstanceNetwork> networks() {
    return instances.values().stream()
        .sorted(Comparator.comparingInt(InstanceNetwork::slot))
        .toList();
  }

  private String idOf(InstanceNetwork net) {
    return instances.entrySet().stream()
        .filter(e -> e.getValue().equals(net))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse("?");
  }

  /** The first host address or route line that overlaps the pool (ours excluded). */
  Optional<String> overlap(List<String> lines) {
    for (String line : lines) {
      String[] t = line.trim().split("\\s+");
      List<String> tokens = List.of(t);
      int dev = tokens.indexOf("dev");
      String device = dev >= 0 && dev + 1 < t.length ? t[dev + 1] : (t.length > 1 ? t[1] : "");
      if (device.startsWith(InstanceNetwork.VETH_PREFIX)) {
        continue;
      }
      String dest;
      int inet = tokens.indexOf("inet");
      if (inet >= 0 && inet + 1 < t.length) {
        dest = t[inet + 1];
        device = t.length > 1 ? t[1] : device;
      } else if (t.length > 0 && ROUTE_TYPES.contains(t[0]) && t.length > 1) {
        dest = t[1];
      } else {
        dest = t.length > 0 ? t[0] : "";
      }
      if (!dest.matches("\\d{1,3}(\\.\\d{1,3}){3}(/\\d{1,2})?")) {
        continue;
      }
      String[] parts = dest.split("/");
      int address = AddressPool.toInt(parts[0], line);
      int prefix = parts.length > 1 ? Integer.parseInt(parts[1]) : 32;
      if (address == AddressPool.toInt(pool.workerAddress()) && device.equals("lo")) {
        continue;
      }
      if (pool.overlaps(address, prefix)) {
        return Optional.of(line);
      }
    }
    return Optional.empty();
  }

  private static final Set<String> ROUTE_TYPES =
      Set.of(
          "local",
          "broadcast",
          "unicast",
          "anycast",
          "multicast",
          "blackhole",
          "unreachable",
          "prohibit",
          "throw",
          "nat");
}
