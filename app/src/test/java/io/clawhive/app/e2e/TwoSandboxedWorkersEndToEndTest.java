package io.clawhive.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.worker.standin.StandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two sandboxed worker nodes on one host at once (as when a test runs a second worker): each has
 * its own network pool, worker address and egress chains, its instances' namespaces reach its own
 * model proxy and never the other worker's, and the second leaving takes nothing of the first's
 * with it. Needs the sandbox (root, bwrap, ip, iptables); skipped otherwise.
 */
class TwoSandboxedWorkersEndToEndTest {
  private static final String CONNECTED = "CONNECTED";
  private static final Duration POOL_READY = Duration.ofSeconds(120);

  @TempDir Path dir;
  private final Deque<E2eNode> nodes = new ArrayDeque<>();

  @AfterEach
  void stopAll() throws Exception {
    Exception first = null;
    while (!nodes.isEmpty()) {
      try {
        nodes.pop().close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Test
  void eachWorkerKeepsItsOwnPoolWorkerAddressAndRules() throws Exception {
    assumeTrue(
        E2eNode.SANDBOX_HOST,
        "not root, or no bwrap/ip/iptables: no sandboxes on this host to keep apart");
    int firstProxy = E2eNode.freePort();
    E2eNode first = start("first", firstProxy);
    Instance a = awaitPooled(first);
    int secondProxy = E2eNode.freePort();
    E2eNode second = start("second", secondProxy);
    Instance b = awaitPooled(second);
    String firstWorker = first.instanceFacingAddress().getHostAddress();
    String secondWorker = second.instanceFacingAddress().getHostAddress();
    assertThat(firstWorker).isNotEqualTo(secondWorker);
    assertThat(first.gatewayHost(a)).isNotEqualTo(second.gatewayHost(b));

    assertThat(connect(first, a, firstWorker, firstProxy))
        .as("the first worker's namespace reaches its model proxy after the second started")
        .contains(CONNECTED);
    assertThat(connect(second, b, secondWorker, secondProxy)).contains(CONNECTED);
    assertThat(connect(first, a, secondWorker, secondProxy))
        .as("never the other worker's proxy")
        .doesNotContain(CONNECTED);
    assertThat(connect(second, b, firstWorker, firstProxy)).doesNotContain(CONNECTED);

    nodes.remove(second);
    second.close();
    assertThat(connect(first, a, firstWorker, firstProxy))
        .as("the second worker's cleanup left the first's namespace and rules alone")
        .contains(CONNECTED);
  }

  private E2eNode start(String name, int modelProxyPort) throws Exception {
    // tenants pass through the test's directory to each node's instances (E2eNode opens its own)
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    E2eNode node =
        new E2eNode(dir.resolve(name), "api,worker")
            .standIns(StandIn.program(), 1)
            .set("worker.modelProxy.port", Integer.toString(modelProxyPort));
    nodes.push(node);
    return node.start();
  }

  private static Instance awaitPooled(E2eNode node) {
    await()
        .atMost(POOL_READY)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                node.instances().stream()
                    .anyMatch(i -> i.actualState() == InstanceState.RUNNING && i.pid() != null));
    return node.instances().stream()
        .filter(i -> i.actualState() == InstanceState.RUNNING)
        .findFirst()
        .orElseThrow();
  }

  /** A TCP connect from inside the instance's sandbox, with bash's /dev/tcp. */
  private static String connect(E2eNode node, Instance instance, String host, int port)
      throws Exception {
    return StandIn.exec(
            node.gatewayHost(instance),
            instance.port(),
            instance.authToken(),
            "timeout 5 bash -c 'exec 3<>/dev/tcp/"
                + host
                + "/"
                + port
                + "' 2>&1 && echo "
                + CONNECTED)
        .output();
  }
}
