package io.clawhive.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The address pool, the names derived from it, the overlap check and the namespace rules. */
class NetworkPoolTest {

  @Test
  void poolNumbersSlotsAsSlash31sAfterTheWorkersOwn() {
    AddressPool pool = AddressPool.parse("10.231.0.0/16");
    assertThat(pool.capacity()).isEqualTo(32_767);
    assertThat(pool.workerAddress().getHostAddress()).isEqualTo("10.231.0.1");
    InstanceNetwork first = pool.slot(0);
    assertThat(first.hostAddress().getHostAddress()).isEqualTo("10.231.0.2");
    assertThat(first.namespaceAddress().getHostAddress()).isEqualTo("10.231.0.3");
    assertThat(first.namespace()).isEqualTo("clawhive-0ae70002");
    assertThat(first.hostVeth()).isEqualTo("chv0ae70002").hasSizeLessThanOrEqualTo(15);
    InstanceNetwork last = pool.slot(32_766);
    assertThat(last.namespaceAddress().getHostAddress()).isEqualTo("10.231.255.255");
    assertThatThrownBy(() -> pool.slot(32_767)).hasMessageContaining("outside the network pool");
    assertThat(pool.slotOfHostAddress(AddressPool.toInt(first.hostAddress()))).isZero();
    assertThat(pool.slotOfHostAddress(AddressPool.toInt(first.namespaceAddress()))).isEqualTo(-1);
    assertThat(InstanceNetwork.hostAddressOf("clawhive-0ae70002"))
        .isEqualTo(AddressPool.toInt(first.hostAddress()) & 0xffffffffL);
    assertThat(InstanceNetwork.hostAddressOf("eth0")).isEqualTo(-1);
  }

  @Test
  void badPoolsAreRefusedWhereTheyAreSet() {
    IsolationConfig config = new IsolationConfig();
    assertThatThrownBy(() -> config.setNetworkPool("10.231.0.1/16"))
        .hasMessageContaining("host bits set")
        .hasMessageContaining("10.231.0.0/16");
    assertThatThrownBy(() -> config.setNetworkPool("8.8.0.0/16"))
        .hasMessageContaining("10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16");
    assertThatThrownBy(() -> config.setNetworkPool("10.0.0.0/30")).hasMessageContaining("/29");
    assertThatThrownBy(() -> config.setNetworkPool("fd00::/64")).hasMessageContaining("IPv4");
    config.setNetworkPool("172.20.0.0/20");
    assertThat(config.getNetworkPool()).isEqualTo("172.20.0.0/20");
  }

  @Test
  void overlapWithAHostRouteOrAddressIsFoundButOurOwnVethsAndWorkerAddressAreNot() {
    PrivateNetworks networks = networks("10.231.0.0/16");
    assertThat(
            networks.overlap(
                List.of(
                    "1: lo    inet 127.0.0.1/8 scope host lo",
                    "1: lo    inet 10.231.0.1/32 scope global lo",
                    "9: chv0ae70002    inet 10.231.0.2/31 scope global chv0ae70002",
                    "default via 192.0.2.1 dev eth0",
                    "10.231.0.2/31 dev chv0ae70002 proto kernel scope link src 10.231.0.2",
                    "local 10.231.0.1 dev lo table local proto kernel scope host src 10.231.0.1",
                    "192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2")))
        .isEmpty();
    assertThat(networks.overlap(List.of("10.0.0.0/8 via 192.0.2.1 dev eth0")))
        .hasValue("10.0.0.0/8 via 192.0.2.1 dev eth0");
    assertThat(networks.overlap(List.of("4: docker0    inet 10.231.7.1/24 brd 10.231.7.255")))
        .isPresent();
  }

  @Test
  void namespaceRulesAllowTheModelProxyAndNameServersAndDenyEveryReservedRange() throws Exception {
    AddressPool pool = AddressPool.parse("10.231.0.0/16");
    NamespaceRules rules =
        new NamespaceRules(
            "CLAWHIVE-EGRESS",
            pool,
            pool.workerAddress(),
            18_780,
            List.of(EgressAllowance.parse("127.0.0.1:11434"), EgressAllowance.parse("10.9.0.0/16")),
            List.of(InetAddress.getByName("10.255.255.53")));
    assertThat(rules.inputRules())
        .contains("-d 10.231.0.1/32 -i chv0ae7+ -p tcp --dport 18780 -j ACCEPT")
        .contains("-d 10.231.0.1/32 -i chv0ae7+ -p tcp --dport 11434 -j ACCEPT")
        .contains("-d 10.255.255.53/32 -i chv0ae7+ -p udp --dport 53 -j ACCEPT")
        .noneMatch(r -> r.contains("-i chv+ -p"))
        .endsWith("-i chv0ae7+ -j REJECT");
    assertThat(rules.policyRules())
        .contains("-d 10.9.0.0/16 -j ACCEPT")
        .contains("-d 10.255.255.53/32 -p udp --dport 53 -j ACCEPT")
        .contains("-d 10.231.0.0/16 -j REJECT")
        .contains("-d 198.18.0.0/15 -j REJECT")
        .contains("-d 192.0.0.0/24 -j REJECT")
        .contains("-d 240.0.0.0/4 -j REJECT")
        .contains("-d 168.63.129.16/32 -j REJECT")
        .contains("-d 169.254.0.0/16 -j REJECT")
        .endsWith("-j ACCEPT")
        .noneMatch(r -> r.contains("127.0.0.1"));
    assertThat(rules.policyRules().indexOf("-d 10.9.0.0/16 -j ACCEPT"))
        .as("allowances come before the denials")
        .isLessThan(rules.policyRules().indexOf("-d 10.0.0.0/8 -j REJECT"));
    assertThat(rules.forwardRules(List.of(pool.slot(0))))
        .contains("-s 10.231.0.3/32 -i chv0ae70002 -j CLAWHIVE-EGRESS-NS")
        .contains("-i chv+ -o chv+ -j REJECT")
        .contains("-i chv0ae7+ -j DROP")
        .doesNotContain("-i chv+ -j DROP");
    assertThat(rules.restore(List.of())).contains("*nat\n:CLAWHIVE-EGRESS-NAT - [0:0]\n");
  }

  @Test
  void theCatchAllsMatchTheVethsOfTheirOwnPoolOnlySoTwoWorkersOnOneHostCoexist() {
    AddressPool pool = AddressPool.parse("10.231.0.0/16");
    assertThat(pool.vethWildcards()).containsExactly("chv0ae7+");
    assertThat(AddressPool.parse("10.237.4.0/24").vethWildcards()).containsExactly("chv0aed04+");
    AddressPool odd = AddressPool.parse("10.237.4.0/22");
    assertThat(odd.vethWildcards())
        .containsExactly("chv0aed04+", "chv0aed05+", "chv0aed06+", "chv0aed07+");
    for (AddressPool p : List.of(pool, odd, AddressPool.parse("192.168.128.0/17"))) {
      for (int slot : List.of(0, p.capacity() - 1)) {
        String veth = p.slot(slot).hostVeth();
        assertThat(p.vethWildcards())
            .as("%s slot %d", p, slot)
            .anyMatch(w -> veth.startsWith(w.substring(0, w.length() - 1)));
      }
    }
    String neighbour = AddressPool.parse("10.237.8.0/22").slot(0).hostVeth();
    assertThat(odd.vethWildcards())
        .as("the next pool's veth %s", neighbour)
        .noneMatch(w -> neighbour.startsWith(w.substring(0, w.length() - 1)));
  }

  @Test
  void namespacesGetOnlyNonLoopbackIpv4NameServers() throws Exception {
    assertThat(
            Resolvers.usable(
                Resolvers.parse(
                    List.of(
                        "nameserver 127.0.0.53",
                        "nameserver ::1",
                        "nameserver fd00::53",
                        "nameserver 10.255.255.53"))))
        .containsExactly(InetAddress.getByName("10.255.255.53"));
  }

  private static PrivateNetworks networks(String pool) {
    return new PrivateNetworks(
        AddressPool.parse(pool),
        new NetworkNamespaces(Path.of("/usr/sbin/ip")),
        Path.of("/usr/sbin/iptables"),
        "CLAWHIVE-EGRESS",
        18_780,
        List.of(),
        true);
  }
}
