package io.clawhive.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clawhive.core.storage.Instance;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.PortAllocator;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.sandbox.EgressPolicy;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.sandbox.SandboxHost;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.standin.StandIn.ExecResult;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As root with bubblewrap and iptables: a tenant's instance provisioned through the fleet in mode
 * sandbox gets its own user, its egress chain and a gateway (the stand-in) running as that user
 * inside bubblewrap; deleting the instance removes user and chain.
 */
class FleetSandboxTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String PREFIX = "clawfs-";

  @TempDir Path dir;

  /**
   * The sandbox binds the runtime read-only, so it must exist (the stand-in needs nothing in it).
   */
  @TempDir Path runtimeDir;

  private FleetFixture f;
  private Isolation isolation;
  private final SystemUsers users = new SystemUsers(PREFIX);

  private Runnable restoreForwarding;
  private final List<Process> squatters = new ArrayList<>();
  private final List<ServerSocket> hostSquats = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    SandboxHost.assumeSandboxHost();
    f = new FleetFixture(dir);
    restoreForwarding = SandboxHost.forwardingRestorer();
    isolation = Isolation.forMode(SandboxHost.config("sandbox", List.of()), 2);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process squatter : squatters) {
      squatter.destroyForcibly().waitFor();
    }
    for (ServerSocket socket : hostSquats) {
      socket.close();
    }
    if (f != null) {
      f.close();
    }
    if (isolation != null) {
      isolation.uninstall();
    }
    if (restoreForwarding != null) {
      restoreForwarding.run();
    }
    for (String id : List.of("sbxfleet1", "sbxsqa", "sbxsqb")) {
      users.find(users.nameFor(id)).ifPresent(users::delete);
    }
  }

  private FleetSettings sandboxSettings() {
    FleetSettings base = f.settings(0);
    return new FleetSettings(
        base.nodeId(),
        base.instancesDir(),
        base.ports(),
        0,
        base.limits(),
        base.policy(),
        base.hibernateAfter(),
        base.diskQuotaBytes(),
        base.housekeepingInterval(),
        List.of(),
        Optional.of(PREFIX),
        base.gatewayProgram(),
        new RuntimeLayout(runtimeDir),
        base.model());
  }

  @Test
  void aTenantsGatewayRunsAsItsOwnUserInsideBubblewrapBehindItsEgressChain() throws Exception {
    Fleet fleet = f.fleet(sandboxSettings(), ConfigCheck.NONE, SkillSource.UNAVAILABLE, isolation);
    fleet.start();

    String id = fleet.createForTenant(7L, "sbxfleet1");
    assertThat(fleet.gatewayFor(7L).chat("s", "hi").content()).isEqualTo("echo: hi (turn 1)");

    Instance row = f.row(id);
    assertThat(row.systemUsername()).isEqualTo(PREFIX + "sbxfleet1");
    SystemUser user = users.find(row.systemUsername()).orElseThrow();
    String host = isolation.gatewayHost(id);
    assertThat(host).startsWith("10.239.0.");
    ExecResult inside = StandIn.exec(host, row.port(), row.authToken(), "id -u; id -g; hostname");
    assertThat(inside.output())
        .as("the gateway runs as the instance's user in bubblewrap's uts namespace")
        .isEqualTo(user.uid() + "\n" + user.gid() + "\nclawhive\n");
    assertThat(ProcessHandle.of(row.pid()).orElseThrow().info().user())
        .as("the supervised process itself is the tenant's, never root's")
        .hasValue(user.name());

    EgressPolicy policy = isolation.egressPolicy().orElseThrow();
    String chain = policy.userChain(user);
    assertThat(policy.listRules("V4", chain))
        .contains(
            "-A " + chain + " -d 127.0.0.0/8 -p tcp -m tcp --dport " + row.port() + " -j RETURN")
        .anyMatch(rule -> rule.contains("169.254.0.0/16") && rule.contains("REJECT"));
    assertThat(policy.problems()).isEmpty();
    assertThat(isolation.healthCheck().execute().isHealthy()).isTrue();

    Path namespace = Path.of("/run/netns/clawhive-" + hexOfHostSide(host));
    assertThat(namespace).exists();

    fleet.deleteInstance(id);

    assertThat(namespace).as("namespace removed with the instance").doesNotExist();

    assertThat(users.find(user.name())).as("user deleted").isEmpty();
    assertThat(policy.listRules("V4", chain)).as("chain removed").isEmpty();
    assertThat(policy.problems()).isEmpty();
    assertThat(f.rowOfTenant(7L)).isEmpty();
    await().atMost(WAIT).until(() -> !FleetFixture.alive(row.pid()));
    assertThat(dir.resolve(id)).doesNotExist();
    assertThat(fleet.stateOf(7L)).isEmpty();
  }

  /**
   * The attack of issue #8: code in tenant A's sandbox listens on every address and port it can
   * (0.0.0.0, 127.0.0.1, its own address, B's address through IP_FREEBIND; B's port, its neighbours
   * and every base port of the fleet) while B is hibernated. B's next message wakes B and is
   * answered by B's own gateway; A's listener never sees a connection.
   */
  @Test
  void aSquatterInAnotherTenantsNamespaceNeverReceivesAWakingTenantsTraffic() throws Exception {
    Fleet fleet = f.fleet(sandboxSettings(), ConfigCheck.NONE, SkillSource.UNAVAILABLE, isolation);
    fleet.start();
    String idA = fleet.createForTenant(1L, "sbxsqa");
    String idB = fleet.createForTenant(2L, "sbxsqb");
    // A's own gateway holds its port first (squatting its own port would only hurt A itself)
    assertThat(fleet.gatewayFor(1L).chat("s", "a").content()).startsWith("echo: a");
    assertThat(fleet.gatewayFor(2L).chat("s", "first").content()).startsWith("echo: first");
    fleet.hibernateInstance(idB, "test: idle");
    assertThat(fleet.stateOf(2L)).hasValue(io.clawhive.core.storage.InstanceState.HIBERNATED);
    int portB = f.row(idB).port();

    Squatter squatter = squat(fleet, idA, portB, isolation.gatewayHost(idB));
    assertThat(squatter.bound()).as("the squatter holds B's port on 0.0.0.0 and more").isTrue();

    assertThat(fleet.gatewayFor(2L).chat("s", "second").content())
        .as("B's own gateway answers after waking")
        .startsWith("echo: second");
    assertThat(squatter.stop()).as("connections A's listener received").isEmpty();
  }

  /**
   * A squats before B exists, and a host process holds every gateway base port on loopback: B is
   * still provisioned (the host's ports no longer matter) and answered by its own gateway.
   */
  @Test
  void squattingBeforeProvisioningBlocksNothingAndCatchesNothing() throws Exception {
    FleetSettings settings = sandboxSettings();
    Fleet fleet = f.fleet(settings, ConfigCheck.NONE, SkillSource.UNAVAILABLE, isolation);
    fleet.start();
    String idA = fleet.createForTenant(1L, "sbxsqa");
    assertThat(fleet.gatewayFor(1L).chat("s", "a").content()).startsWith("echo: a");
    int firstBase = f.row(idA).port();
    Squatter squatter = squat(fleet, idA, firstBase + PortAllocator.MIN_STRIDE, null);
    assertThat(squatter.bound()).isTrue();
    for (int port = 43_000; port <= 44_980; port += PortAllocator.MIN_STRIDE) {
      try {
        hostSquats.add(new ServerSocket(port, 1, InetAddress.getLoopbackAddress()));
      } catch (java.io.IOException busy) {
        // A gateway or something else has it: squatted either way
      }
    }

    String idB = fleet.createForTenant(2L, "sbxsqb");
    assertThat(fleet.gatewayFor(2L).chat("s", "hello").content()).startsWith("echo: hello");
    assertThat(f.row(idB).port()).isEqualTo(firstBase + PortAllocator.MIN_STRIDE);
    assertThat(squatter.stop()).as("connections A's listener received").isEmpty();
  }

  /** A listener run inside tenant {@code id}'s sandbox through the isolation's command wrapper. */
  private Squatter squat(Fleet fleet, String id, int targetPort, String foreignAddress)
      throws Exception {
    FleetSettings settings = fleet.settings();
    InstanceLayout layout = InstanceLayout.of(settings.instancesDir(), id);
    SystemUser user = users.find(f.row(id).systemUsername()).orElseThrow();
    List<String> ports = new ArrayList<>();
    for (int p = 43_000; p <= 44_980; p += PortAllocator.MIN_STRIDE) {
      ports.add(Integer.toString(p));
    }
    for (int p = targetPort - 10; p <= targetPort + 10; p++) {
      ports.add(Integer.toString(p));
    }
    List<String> addresses =
        new ArrayList<>(List.of("0.0.0.0", "127.0.0.1", isolation.gatewayHost(id)));
    if (foreignAddress != null) {
      addresses.add(foreignAddress);
    }
    List<String> command =
        isolation
            .commandWrapper(layout, Optional.of(user), settings.runtime())
            .wrap(
                List.of(
                    "/usr/bin/python3",
                    "-c",
                    SQUATTER,
                    String.join(",", ports),
                    String.join(",", addresses)),
                GatewayCommand.environment(
                    settings.runtime(), layout.stateDir(), layout.configFile(), layout.stateDir()),
                layout.workspaceDir());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    squatters.add(process);
    return new Squatter(process);
  }

  /** Binds every address x port it can (SO_REUSEPORT, IP_FREEBIND) and logs what it accepts. */
  private static final String SQUATTER =
      String.join(
          "\n",
          "import socket, sys, select",
          "ports = sorted(set(int(p) for p in sys.argv[1].split(',')))",
          "socks = []",
          "for addr in sys.argv[2].split(','):",
          "  for port in ports:",
          "    s = socket.socket()",
          "    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)",
          "    s.setsockopt(socket.SOL_IP, 15, 1)",
          "    try:",
          "      s.bind((addr, port)); s.listen(50); socks.append(s)",
          "    except OSError as e:",
          "      print('SKIP', addr, port, e, flush=True); s.close()",
          "print('BOUND', len(socks), flush=True)",
          "while True:",
          "  ready, _, _ = select.select(socks, [], [])",
          "  for s in ready:",
          "    c, peer = s.accept()",
          "    print('ACCEPTED', s.getsockname(), peer, flush=True)",
          "    c.close()");

  /** The squatter's output, read as it comes. */
  private static final class Squatter {
    private final Process process;
    private final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread reader;

    Squatter(Process process) {
      this.process = process;
      this.reader =
          new Thread(
              () -> {
                try (var in = process.inputReader()) {
                  in.lines().forEach(lines::add);
                } catch (java.io.IOException e) {
                  lines.add("READ FAILED " + e);
                }
              });
      reader.start();
    }

    /** Waits for the BOUND line; true when it bound at least one listener per port. */
    boolean bound() {
      await()
          .atMost(WAIT)
          .until(() -> lines.stream().anyMatch(l -> l.startsWith("BOUND")) || !process.isAlive());
      return lines.stream()
          .filter(l -> l.startsWith("BOUND "))
          .anyMatch(l -> Integer.parseInt(l.substring(6).trim()) > 100);
    }

    /** Stops it and returns the connections it accepted. */
    List<String> stop() throws InterruptedException {
      process.destroy();
      process.waitFor();
      reader.join(5_000);
      return lines.stream().filter(l -> l.startsWith("ACCEPTED")).toList();
    }
  }

  private static String hexOfHostSide(String namespaceAddress) {
    String[] o = namespaceAddress.split("\\.");
    return String.format(
        "%02x%02x%02x%02x",
        Integer.parseInt(o[0]),
        Integer.parseInt(o[1]),
        Integer.parseInt(o[2]),
        Integer.parseInt(o[3]) - 1);
  }
}
