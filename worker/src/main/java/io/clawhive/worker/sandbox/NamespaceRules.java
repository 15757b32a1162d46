package io.clawhive.worker.sandbox;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The IPv4 rules for traffic from the instances' network namespaces (pure; {@link NamespaceEgress}
 * installs them). Tenant traffic no longer leaves through the host's OUTPUT chain: it arrives on a
 * veth ({@code chv+}) and is either forwarded (FORWARD) or addressed to the host (INPUT).
 *
 * <pre>
 * FORWARD     -j CHAIN-FWD                      (inserted first)
 * CHAIN-FWD   replies into namespaces ACCEPT; namespace to namespace REJECT;
 *             -i chvX -s ADDR_X -j CHAIN-NS     (one per instance: its veth, its address only);
 *             anything else from a veth of this pool (spoofed source, unknown slot) or into any
 *             veth DROP
 * CHAIN-NS    allowances and name servers ACCEPT; the pool, this host, loopback, link-local,
 *             private, CGNAT, benchmark, reserved, multicast ranges and Azure's wire server REJECT;
 *             the rest (the public internet) ACCEPT
 * INPUT       -j CHAIN-IN                       (inserted first)
 * CHAIN-IN    from a veth: replies ACCEPT; from a veth of this pool: WORKER:modelProxyPort (and
 *             loopback allowances' ports on WORKER) ACCEPT, DNS to listed name servers ACCEPT,
 *             everything else REJECT
 * POSTROUTING -j CHAIN-NAT (nat)  MASQUERADE what leaves the pool for elsewhere than a veth
 * </pre>
 *
 * <p>The catch-alls match this pool's veths only ({@link AddressPool#vethWildcards}): a second
 * worker on the same host (another pool and chain, e.g. two nodes in one test) has its own chains,
 * jumped to from the same FORWARD and INPUT; ours must let its namespaces' traffic pass on to them
 * instead of rejecting it.
 *
 * <p>Only forwarded traffic is masqueraded, and FORWARD has decided before POSTROUTING, so only
 * what the policy allows leaves the host.
 */
final class NamespaceRules {

  static final String VETHS = InstanceNetwork.VETH_PREFIX + "+";
  static final int DNS_PORT = 53;

  private final String chain;
  private final AddressPool pool;
  private final Inet4Address worker;
  private final int modelProxyPort;
  private final List<EgressAllowance> allowances;
  private final List<InetAddress> nameservers;

  NamespaceRules(
      String chain,
      AddressPool pool,
      Inet4Address worker,
      int modelProxyPort,
      List<EgressAllowance> allowances,
      List<InetAddress> nameservers) {
    this.chain = chain;
    this.pool = pool;
    this.worker = worker;
    this.modelProxyPort = modelProxyPort;
    this.allowances = allowances.stream().filter(a -> !a.ipv6()).toList();
    this.nameservers = nameservers.stream().filter(n -> n instanceof Inet4Address).toList();
  }

  NamespaceRules withNameservers(List<InetAddress> servers) {
    return new NamespaceRules(chain, pool, worker, modelProxyPort, allowances, servers);
  }

  List<InetAddress> nameservers() {
    return nameservers;
  }

  String forwardChain() {
    return chain + "-FWD";
  }

  String policyChain() {
    return chain + "-NS";
  }

  String inputChain() {
    return chain + "-IN";
  }

  String natChain() {
    return chain + "-NAT";
  }

  List<String> forwardJump() {
    return List.of("FORWARD", "-j", forwardChain());
  }

  List<String> inputJump() {
    return List.of("INPUT", "-j", inputChain());
  }

  List<String> natJump() {
    return List.of("POSTROUTING", "-j", natChain());
  }

  /** Rules of CHAIN-FWD for the given instance networks (each without the chain name). */
  List<String> forwardRules(List<InstanceNetwork> networks) {
    List<String> rules = new ArrayList<>();
    rules.add("-o " + VETHS + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
    rules.add("-i " + VETHS + " -o " + VETHS + " -j REJECT");
    for (InstanceNetwork net : networks) {
      rules.add(
          "-s "
              + net.namespaceAddress().getHostAddress()
              + "/32 -i "
              + net.hostVeth()
              + " -j "
              + policyChain());
    }
    for (String own : pool.vethWildcards()) {
      rules.add("-i " + own + " -j DROP");
    }
    rules.add("-o " + VETHS + " -j DROP");
    return rules;
  }

  /** Rules of CHAIN-NS: what a namespace may reach through the host. */
  List<String> policyRules() {
    List<String> rules = new ArrayList<>();
    rules.add("-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
    for (EgressAllowance a : allowances) {
      if (a.address().isLoopbackAddress()) {
        continue; // served on the worker's address through INPUT, see inputRules
      }
      if (a.port().isPresent()) {
        for (String proto : List.of("tcp", "udp")) {
          rules.add(
              "-d "
                  + a.destination()
                  + " -p "
                  + proto
                  + " --dport "
                  + a.port().getAsInt()
                  + " -j ACCEPT");
        }
      } else {
        rules.add("-d " + a.destination() + " -j ACCEPT");
      }
    }
    for (InetAddress server : nameservers) {
      for (String proto : List.of("udp", "tcp")) {
        rules.add(
            "-d "
                + server.getHostAddress()
                + "/32 -p "
                + proto
                + " --dport "
                + DNS_PORT
                + " -j ACCEPT");
      }
    }
    rules.add("-d " + pool + " -j REJECT");
    rules.add("-m addrtype --dst-type LOCAL -j REJECT");
    for (String denied : IpFamily.V4.denied) {
      rules.add("-d " + denied + " -j REJECT");
    }
    rules.add("-j ACCEPT");
    return rules;
  }

  /** Rules of CHAIN-IN: what a namespace may reach on the host itself. */
  List<String> inputRules() {
    List<String> rules = new ArrayList<>();
    String workerDest = worker.getHostAddress() + "/32";
    rules.add("-i " + VETHS + " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
    List<Integer> ports = new ArrayList<>(List.of(modelProxyPort));
    for (EgressAllowance a : allowances) {
      if (a.address().isLoopbackAddress()
          && a.port().isPresent()
          && !ports.contains(a.port().getAsInt())) {
        ports.add(a.port().getAsInt());
      }
    }
    // only this pool's namespaces: another worker's must not reach our proxy either
    for (String own : pool.vethWildcards()) {
      for (int port : ports) {
        rules.add("-d " + workerDest + " -i " + own + " -p tcp --dport " + port + " -j ACCEPT");
      }
      for (InetAddress server : nameservers) {
        for (String proto : List.of("udp", "tcp")) {
          rules.add(
              "-d "
                  + server.getHostAddress()
                  + "/32 -i "
                  + own
                  + " -p "
                  + proto
                  + " --dport "
                  + DNS_PORT
                  + " -j ACCEPT");
        }
      }
    }
    for (String own : pool.vethWildcards()) {
      rules.add("-i " + own + " -j REJECT");
    }
    return rules;
  }

  List<String> natRules() {
    return List.of("-s " + pool + " -o " + VETHS + " -j RETURN", "-s " + pool + " -j MASQUERADE");
  }

  /** Input for {@code iptables-restore --noflush}: (re)creates and fills all four chains. */
  String restore(List<InstanceNetwork> networks) {
    StringBuilder in = new StringBuilder("*filter\n");
    for (String c : List.of(forwardChain(), policyChain(), inputChain())) {
      in.append(':').append(c).append(" - [0:0]\n");
    }
    append(in, forwardChain(), forwardRules(networks));
    append(in, policyChain(), policyRules());
    append(in, inputChain(), inputRules());
    in.append("COMMIT\n*nat\n:").append(natChain()).append(" - [0:0]\n");
    append(in, natChain(), natRules());
    return in.append("COMMIT\n").toString();
  }

  private static void append(StringBuilder in, String chain, List<String> rules) {
    for (String rule : rules) {
      in.append("-A ").append(chain).append(' ').append(rule).append('\n');
    }
  }
}
