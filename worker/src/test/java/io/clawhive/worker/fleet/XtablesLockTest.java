package io.clawhive.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clawhive.core.storage.InstanceState;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.sandbox.EgressPolicy;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.sandbox.IsolationConfig;
import io.clawhive.worker.sandbox.SandboxHost;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As root with the legacy iptables backend (the one that takes /run/xtables.lock; nft ignores it):
 * while the test holds the lock, provisioning a tenant fails with a message naming the lock after
 * iptables' bounded wait, and the worker's other work is not stuck behind it; once the lock is
 * released, the next tenant provisions and answers.
 */
class XtablesLockTest {

  private static final String PREFIX = "clawxl-";
  private static final Path XTABLES_LOCK = Path.of("/run/xtables.lock");
  private static final Path LEGACY = Path.of("/usr/sbin/iptables-legacy");
  private static final Path LEGACY6 = Path.of("/usr/sbin/ip6tables-legacy");

  @TempDir Path dir;
  @TempDir Path runtimeDir;

  private FleetFixture f;
  private Isolation isolation;
  private Process holder;
  private final SystemUsers users = new SystemUsers(PREFIX);

  @BeforeEach
  void setUp() throws Exception {
    SandboxHost.assumeSandboxHost();
    assumeTrue(
        Files.isExecutable(LEGACY) && Files.isExecutable(LEGACY6),
        "iptables-legacy not installed: the nft backend takes no xtables lock");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/flock")), "flock not installed");
    f = new FleetFixture(dir);
    IsolationConfig config = SandboxHost.config("sandbox", List.of());
    config.setIptables(LEGACY.toString());
    config.setIp6tables(LEGACY6.toString());
    isolation = Isolation.forMode(config, 2);
  }

  @AfterEach
  void tearDown() throws Exception {
    release();
    if (f != null) {
      f.close();
    }
    if (isolation != null) {
      isolation.egressPolicy().ifPresent(EgressPolicy::uninstall);
    }
    for (String id : List.of("xlock1", "xlock2")) {
      users.find(users.nameFor(id)).ifPresent(users::delete);
    }
  }

  @Test
  void aHeldXtablesLockFailsProvisioningClearlyAndTheNextTenantWorksOnceReleased()
      throws Exception {
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

    hold();
    assertThatThrownBy(() -> fleet.createForTenant(1L, "xlock1"))
        .hasMessageContaining("xtables.lock");
    assertThat(f.rowOfTenant(1L).orElseThrow().actualState()).isEqualTo(InstanceState.FAILED);
    assertThat(f.rowOfTenant(1L).orElseThrow().failureReason()).contains("xtables.lock");

    release();
    fleet.createForTenant(2L, "xlock2");
    assertThat(fleet.gatewayFor(2L).chat("s", "hi").content()).isEqualTo("echo: hi (turn 1)");
    assertThat(isolation.egressPolicy().orElseThrow().problems()).isEmpty();
  }

  /** Takes the lock in a child and waits until it has it. */
  private void hold() throws Exception {
    holder =
        new ProcessBuilder("flock", XTABLES_LOCK.toString(), "-c", "echo locked; exec sleep 600")
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("locked");
  }

  private void release() throws InterruptedException {
    if (holder != null && holder.isAlive()) {
      holder.descendants().forEach(ProcessHandle::destroyForcibly);
      holder.destroyForcibly();
      holder.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
