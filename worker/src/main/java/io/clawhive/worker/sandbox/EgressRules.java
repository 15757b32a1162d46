package io.clawhive.worker.sandbox;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The iptables rules of the egress policy, as argument lists (pure; installing is {@link
 * EgressPolicy}'s job). Layout per family:
 *
 * <pre>
 * OUTPUT        -j CHAIN                                    (inserted first)
 * CHAIN         -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN   (replies of a gateway)
 * CHAIN         -m owner --uid-owner U -j CHAIN-U                     (one per tenant user)
 * CHAIN-U       allowances -j RETURN, then denials -j REJECT; what is left (the public internet)
 *               returns to OUTPUT untouched
 * </pre>
 */
final class EgressRules {

  static final String REJECT = "REJECT";
  static final String RETURN = "RETURN";
  static final int DNS_PORT = 53;

  private final String chain;
  private final int gatewayPortSpan;
  private final List<EgressAllowance> allowances;
  private final List<InetAddress> resolvers;

  EgressRules(
      String chain,
      int gatewayPortSpan,
      List<EgressAllowance> allowances,
      List<InetAddress> resolvers) {
    this.chain = chain;
    this.gatewayPortSpan = gatewayPortSpan;
    this.allowances = List.copyOf(allowances);
    this.resolvers = List.copyOf(resolvers);
  }

  String chain() {
    return chain;
  }

  List<InetAddress> resolvers() {
    return resolvers;
  }

  EgressRules withResolvers(List<InetAddress> servers) {
    return new EgressRules(chain, gatewayPortSpan, allowances, servers);
  }

  String userChain(int uid) {
    return chain + "-" + uid;
  }

  List<String> outputJump() {
    return List.of("OUTPUT", "-j", chain);
  }

  List<String> establishedRule() {
    return List.of(chain, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", RETURN);
  }

  List<String> userJump(int uid) {
    return List.of(
        chain, "-m", "owner", "--uid-owner", Integer.toString(uid), "-j", userChain(uid));
  }

  /** The rules of one tenant's chain, each without the leading chain name. */
  List<List<String>> userRules(IpFamily family, int gatewayPort) {
    List<List<String>> rules = new ArrayList<>();
    String ports =
        gatewayPortSpan == 1
            ? Integer.toString(gatewayPort)
            : gatewayPort + ":" + (gatewayPort + gatewayPortSpan - 1);
    rules.add(List.of("-d", family.loopback, "-p", "tcp", "--dport", ports, "-j", RETURN));
    for (InetAddress resolver : resolvers) {
      if (familyOf(resolver) == family) {
        String dest = resolver.getHostAddress() + (family == IpFamily.V6 ? "/128" : "/32");
        for (String proto : List.of("udp", "tcp")) {
          rules.add(
              List.of(
                  "-d", dest, "-p", proto, "--dport", Integer.toString(DNS_PORT), "-j", RETURN));
        }
      }
    }
    for (EgressAllowance allowance : allowances) {
      if ((allowance.ipv6() ? IpFamily.V6 : IpFamily.V4) != family) {
        continue;
      }
      if (allowance.port().isPresent()) {
        String port = Integer.toString(allowance.port().getAsInt());
        for (String proto : List.of("tcp", "udp")) {
          rules.add(
              List.of("-d", allowance.destination(), "-p", proto, "--dport", port, "-j", RETURN));
        }
      } else {
        rules.add(List.of("-d", allowance.destination(), "-j", RETURN));
      }
    }
    rules.add(List.of("-m", "addrtype", "--dst-type", "LOCAL", "-j", REJECT));
    for (String denied : family.denied) {
      rules.add(List.of("-d", denied, "-j", REJECT));
    }
    return rules;
  }

  /** Input for {@code iptables-restore --noflush}: (re)creates and fills one tenant's chain. */
  String userChainRestore(IpFamily family, int uid, int gatewayPort) {
    StringBuilder in = new StringBuilder("*filter\n");
    in.append(':').append(userChain(uid)).append(" - [0:0]\n");
    for (List<String> rule : userRules(family, gatewayPort)) {
      in.append("-A ").append(userChain(uid)).append(' ').append(String.join(" ", rule));
      in.append('\n');
    }
    return in.append("COMMIT\n").toString();
  }

  static IpFamily familyOf(InetAddress address) {
    return address instanceof Inet6Address ? IpFamily.V6 : IpFamily.V4;
  }
}
