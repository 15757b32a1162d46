package io.clawhive.app;

import static io.clawhive.app.DeployFiles.DEPLOY;
import static io.clawhive.app.DeployFiles.isRoot;
import static io.clawhive.app.DeployFiles.onPath;
import static io.clawhive.app.DeployFiles.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clawhive.app.DeployFiles.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The firewall ruleset (deploy/nftables.conf), loaded only inside network namespaces this test
 * creates: this host's own ruleset is never read or changed.
 */
class FirewallRulesetTest {
  @TempDir Path temp;

  /**
   * Parses and loads the firewall ruleset only inside a network namespace made for this test, so
   * this host's own ruleset is never read or changed; loading twice proves a reload is idempotent.
   */
  @Test
  void rulesetLoadsTwiceInAThrowawayNetworkNamespace() throws Exception {
    assumeTrue(onPath("nft") && onPath("unshare"), "nft/unshare missing: apt-get install nftables");
    assumeTrue(isRoot(), "needs root to create a network namespace");
    Path conf = DEPLOY.resolve("nftables.conf");
    Result loaded =
        run(
            List.of(
                "unshare",
                "--net",
                "sh",
                "-c",
                "nft -c -f \"$1\" && nft -f \"$1\" && nft -f \"$1\" && nft list ruleset",
                "sh",
                conf.toString()),
            Map.of());
    assertThat(loaded.exitCode()).as(loaded.output()).isZero();
    assertThat(loaded.output())
        .containsOnlyOnce("table inet clawhive_host")
        .contains("policy drop;", "tcp dport 22 ct state new accept")
        .contains("tcp dport 443 ct state new accept", "iifname \"chv*\" accept");
  }

  /**
   * The ruleset's effect, in two network namespaces this test creates (unnamed: nothing under
   * /run/netns, no host interface): a client reaches the host's ssh and HTTPS ports over a veth,
   * but not 8080/8081 nor a gateway port, which loopback inside the host still reaches. Before the
   * ruleset is loaded all of them answer, so the drops are the ruleset's.
   */
  @Test
  void rulesetOpensOnlySshAndHttpsToANeighbour() throws Exception {
    assumeTrue(
        onPath("nft") && onPath("unshare") && onPath("nsenter") && onPath("ip"),
        "nft/unshare/nsenter/ip missing: apt-get install nftables util-linux iproute2");
    assumeTrue(isRoot(), "needs root to create network namespaces");
    Path script = temp.resolve("firewall-check.sh");
    Files.writeString(script, FIREWALL_CHECK);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classes =
        Path.of(Listener.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    Result result =
        run(
            List.of(
                "bash",
                script.toString(),
                DEPLOY.resolve("nftables.conf").toString(),
                java,
                classes,
                Listener.class.getName()),
            Map.of());
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output())
        .contains("before 22 open", "before 443 open", "before 8080 open", "before 8081 open")
        .contains("before 20000 open")
        .contains("after 22 open", "after 443 open")
        .contains("after 8080 closed", "after 8081 closed", "after 20000 closed")
        .contains("loopback 8080 open", "loopback 20000 open");
  }

  /** Listens on the given TCP ports (all addresses) and accepts until killed. */
  static final class Listener {
    public static void main(String[] args) throws Exception {
      List<java.net.ServerSocket> sockets = new ArrayList<>();
      for (String port : args) {
        sockets.add(new java.net.ServerSocket(Integer.parseInt(port)));
      }
      for (java.net.ServerSocket socket : sockets) {
        new Thread(
                () -> {
                  while (true) {
                    try {
                      socket.accept().close();
                    } catch (IOException e) {
                      return;
                    }
                  }
                })
            .start();
      }
      System.out.println("listening");
    }
  }

  private static final String FIREWALL_CHECK =
      """
      set -euo pipefail
      conf=$1 java=$2 classes=$3 main=$4
      ports="22 443 8080 8081 20000"
      unshare --net sleep 300 & server=$!
      unshare --net sleep 300 & client=$!
      listener=""
      trap 'kill $server $client $listener 2>/dev/null || true' EXIT
      own=$(readlink /proc/self/ns/net)
      for _ in $(seq 100); do
        s=$(readlink /proc/$server/ns/net) c=$(readlink /proc/$client/ns/net)
        if [ "$s" != "$own" ] && [ "$c" != "$own" ]; then break; fi
        sleep 0.05
      done
      in_server() { nsenter -t "$server" -n "$@"; }
      in_client() { nsenter -t "$client" -n "$@"; }
      in_server ip link add s0 type veth peer name c0 netns "$client"
      in_server ip addr add 10.213.0.1/30 dev s0
      in_server ip link set s0 up
      in_server ip link set lo up
      in_client ip addr add 10.213.0.2/30 dev c0
      in_client ip link set c0 up
      nsenter -t "$server" -n "$java" -cp "$classes" "$main" $ports & listener=$!
      reach() { in_client timeout 2 bash -c "exec 3<>/dev/tcp/10.213.0.1/$1" 2>/dev/null; }
      for _ in $(seq 100); do reach 22 && break; sleep 0.1; done
      for port in $ports; do
        if reach "$port"; then echo "before $port open"; else echo "before $port closed"; fi
      done
      in_server nft -f "$conf"
      for port in $ports; do
        if reach "$port"; then echo "after $port open"; else echo "after $port closed"; fi
      done
      for port in 8080 20000; do
        if in_server timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
          echo "loopback $port open"
        else
          echo "loopback $port closed"
        fi
      done
      """;
}
