package io.clawhive.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class EgressRulesTest {

  @Test
  void allowancesComeBeforeDenialsAndPublicTrafficFallsThrough() throws Exception {
    EgressRules rules =
        new EgressRules(
            "CLAWHIVE-EGRESS",
            1,
            List.of(EgressAllowance.parse("127.0.0.1:11434"), EgressAllowance.parse("10.1.0.0/16")),
            List.of(InetAddress.getByName("10.255.255.53")));
    List<String> v4 =
        rules.userRules(IpFamily.V4, 42_000).stream().map(r -> String.join(" ", r)).toList();
    assertThat(v4.get(0)).isEqualTo("-d 127.0.0.0/8 -p tcp --dport 42000 -j RETURN");
    assertThat(v4)
        .contains(
            "-d 10.255.255.53/32 -p udp --dport 53 -j RETURN",
            "-d 127.0.0.1/32 -p tcp --dport 11434 -j RETURN",
            "-d 10.1.0.0/16 -j RETURN",
            "-m addrtype --dst-type LOCAL -j REJECT",
            "-d 169.254.0.0/16 -j REJECT",
            "-d 100.64.0.0/10 -j REJECT");
    int lastReturn = 0;
    int firstReject = Integer.MAX_VALUE;
    for (int i = 0; i < v4.size(); i++) {
      if (v4.get(i).endsWith("RETURN")) {
        lastReturn = i;
      } else {
        firstReject = Math.min(firstReject, i);
      }
    }
    assertThat(lastReturn).isLessThan(firstReject);
    assertThat(v4).allMatch(r -> r.endsWith("-j RETURN") || r.endsWith("-j REJECT"));
  }

  @Test
  void ipv6RulesCoverLoopbackLinkLocalAndUniqueLocal() {
    EgressRules rules = new EgressRules("C", 20, List.of(), List.of());
    List<String> v6 =
        rules.userRules(IpFamily.V6, 42_000).stream().map(r -> String.join(" ", r)).toList();
    assertThat(v6.get(0)).isEqualTo("-d ::1/128 -p tcp --dport 42000:42019 -j RETURN");
    assertThat(v6)
        .contains("-d fe80::/10 -j REJECT", "-d fc00::/7 -j REJECT", "-d ::1/128 -j REJECT");
    assertThat(rules.userChain(1001)).isEqualTo("C-1001");
    assertThat(rules.userChainRestore(IpFamily.V6, 1001, 42_000))
        .startsWith("*filter\n:C-1001 - [0:0]\n-A C-1001 -d ::1/128")
        .endsWith("COMMIT\n");
  }

  @Test
  void resolversAreReadFromResolvConf() {
    assertThat(
            Resolvers.parse(
                List.of(
                    "# comment",
                    "nameserver 10.255.255.53",
                    "nameserver fe80::1%eth0",
                    "search example.org",
                    "nameserver not-an-ip")))
        .extracting(InetAddress::getHostAddress)
        .containsExactly("10.255.255.53", "fe80:0:0:0:0:0:0:1");
  }
}
