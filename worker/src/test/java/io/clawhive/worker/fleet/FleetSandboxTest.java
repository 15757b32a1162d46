package io.clawhive.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.clawhive.core.storage.Instance;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.sandbox.EgressPolicy;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.sandbox.SandboxHost;
import io.clawhive.worker.standin.StandIn;
import io.clawhive.worker.standin.StandIn.ExecResult;
import java.nio.file.Path;
import java.time.Duration;
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

  @BeforeEach
  void setUp() throws Exception {
    SandboxHost.assumeSandboxHost();
    f = new FleetFixture(dir);
    isolation = Isolation.forMode(SandboxHost.config("sandbox", List.of()), 2);
  }

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
    if (isolation != null) {
      isolation.egressPolicy().ifPresent(EgressPolicy::uninstall);
    }
    users.find(users.nameFor("sbxfleet1")).ifPresent(users::delete);
  }

  @Test
  void aTenantsGatewayRunsAsItsOwnUserInsideBubblewrapBehindItsEgressChain() throws Exception {
    FleetSettings base = f.settings(0);
    FleetSettings settings =
        new FleetSettings(
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
    Fleet fleet = f.fleet(settings, ConfigCheck.NONE, SkillSource.UNAVAILABLE, isolation);
    fleet.start();

    String id = fleet.createForTenant(7L, "sbxfleet1");
    assertThat(fleet.gatewayFor(7L).chat("s", "hi").content()).isEqualTo("echo: hi (turn 1)");

    Instance row = f.row(id);
    assertThat(row.systemUsername()).isEqualTo(PREFIX + "sbxfleet1");
    SystemUser user = users.find(row.systemUsername()).orElseThrow();
    ExecResult inside = StandIn.exec(row.port(), row.authToken(), "id -u; id -g; hostname");
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

    fleet.deleteInstance(id);

    assertThat(users.find(user.name())).as("user deleted").isEmpty();
    assertThat(policy.listRules("V4", chain)).as("chain removed").isEmpty();
    assertThat(policy.problems()).isEmpty();
    assertThat(f.rowOfTenant(7L)).isEmpty();
    await().atMost(WAIT).until(() -> !FleetFixture.alive(row.pid()));
    assertThat(dir.resolve(id)).doesNotExist();
    assertThat(fleet.stateOf(7L)).isEmpty();
  }
}
