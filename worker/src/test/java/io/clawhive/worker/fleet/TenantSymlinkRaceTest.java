package io.clawhive.worker.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.clawhive.core.storage.SkillOutcome;
import io.clawhive.worker.fakes.FakeClawHubRegistry;
import io.clawhive.worker.fakes.InstalledRuntime;
import io.clawhive.worker.instance.DiskImages;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.ProvisioningException;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.sandbox.SandboxHost;
import io.clawhive.worker.skills.SkillInstallResult;
import io.clawhive.worker.skills.SkillUpdate;
import io.clawhive.worker.standin.StandIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As root, real sandbox, real clawhub against the fake registry: while a process running as the
 * tenant's uid swaps its directories (and lock.json) for symlinks to root-owned files in a tight
 * loop, 50 skill installs and updates, quota scans and finally the instance's deletion run. No file
 * outside the tenant's tree changes owner or mode, and the victim files are still there.
 */
class TenantSymlinkRaceTest {

  private static final String PREFIX = "clawsr-";
  private static final String ID = "symrace1";
  private static final int OPERATIONS = 50;

  /**
   * The tenant's attack, run as its uid in its own tree: for each of a few directories it owns,
   * rename it away, put a symlink to the victim directory in its place, then put it back; and point
   * lock.json and clawhub.json at root's secret file.
   */
  private static final String ATTACK =
      "cd \"$1\"; V=\"$2\"\n"
          + "while :; do\n"
          + "  for d in workspace/d workspace/skills workspace/.clawhub state/d state/x; do\n"
          + "    mv -T \"$d\" \"$d.real\" 2>/dev/null; ln -s \"$V\" \"$d\" 2>/dev/null\n"
          + "    rm -f \"$d\" 2>/dev/null; mv -T \"$d.real\" \"$d\" 2>/dev/null\n"
          + "  done\n"
          + "  ln -sf \"$V/secret\" workspace/.clawhub/lock.json 2>/dev/null\n"
          + "  ln -sf \"$V/secret\" state/clawhub.json.tmp 2>/dev/null\n"
          + "  ln -sf \"$V/secret\" config/openclaw.json.tmp 2>/dev/null\n"
          + "done\n";

  @TempDir Path dir;
  @TempDir Path victimRoot;

  private FleetFixture f;
  private Isolation isolation;
  private FakeClawHubRegistry registry;
  private Runnable restoreForwarding;
  private Process attacker;
  private final SystemUsers users = new SystemUsers(PREFIX);

  @BeforeEach
  void setUp() throws Exception {
    SandboxHost.assumeSandboxHost();
    InstalledRuntime.assumeInstalled();
    f = new FleetFixture(dir);
    restoreForwarding = SandboxHost.forwardingRestorer();
    // clawhub runs in the instance's namespace: the fake registry listens on the worker address
    int registryPort = StandIn.port();
    isolation = SandboxHost.reaching(registryPort);
    registry = FakeClawHubRegistry.start(SandboxHost.onWorkerAddress(isolation, registryPort));
    for (int i = 0; i < 5; i++) {
      registry.addSkill(
          "skill" + i, "1.0." + i, "---\nname: skill" + i + "\n---\nSkill " + i + "\n");
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    stopAttacker();
    if (f != null) {
      f.close();
    }
    if (registry != null) {
      registry.close();
    }
    if (isolation != null) {
      isolation.uninstall();
    }
    if (restoreForwarding != null) {
      restoreForwarding.run();
    }
    users.find(users.nameFor(ID)).ifPresent(users::delete);
  }

  @Test
  void symlinkSwapsDuringInstallsUpdatesQuotaScansAndDeletionChangeNothingOutsideTheTree()
      throws Exception {
    Path victim = Files.createDirectories(victimRoot.resolve("victim"));
    privateFile(victim.resolve("secret"), "root's secret");
    Path sub = Files.createDirectories(victim.resolve("sub"));
    Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwx------"));
    privateFile(sub.resolve("inner"), "root's inner secret");
    // names the tenant's directories also hold, so a followed link would hit root's files
    privateFile(victim.resolve("SKILL.md"), "not a skill");
    privateFile(victim.resolve("lock.json"), "{\"skills\":{}}");
    Map<String, String> before = stat(victimRoot);

    FleetSettings base = f.settings(0);
    RuntimeLayout runtime = InstalledRuntime.assumeInstalled().layout();
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
            runtime,
            base.model());
    Fleet fleet =
        f.fleet(
            settings,
            ConfigCheck.NONE,
            SkillSource.clawhub(
                runtime,
                Optional.of(registry.url()),
                io.clawhive.worker.skills.SkillPolicy.parse(
                    List.of("skill0", "skill1", "skill2", "skill3", "skill4"), List.of()),
                2),
            isolation);
    fleet.start();
    String id = fleet.createForTenant(9L, ID);
    InstanceLayout layout = InstanceLayout.of(dir, id);
    SystemUser tenant = users.find(users.nameFor(ID)).orElseThrow();
    startAttacker(tenant, layout, victim);

    int installed = 0;
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < OPERATIONS; i++) {
      if (i % 2 == 0) {
        for (SkillInstallResult r : fleet.installSkills(id, List.of("skill" + (i / 2) % 5))) {
          if (r.installed()) {
            installed++;
          } else {
            failures.add(r.detail());
          }
        }
      } else {
        for (SkillUpdate u : fleet.updateSkills(id, List.of(), null, null)) {
          if (u.outcome() == SkillOutcome.FAILED) {
            failures.add(u.detail());
          } else {
            installed++;
          }
        }
      }
      if (i % 10 == 0) {
        DiskUsage.bytesUnder(List.of(layout.workspaceDir(), layout.stateDir(), layout.configDir()));
      }
      assertThat(attacker.isAlive()).as("the attack runs throughout").isTrue();
    }
    // deletion of the files while the tenant still swaps: rm walks by descriptors
    try {
      layout.delete();
    } catch (ProvisioningException e) {
      // with a disk image the instance directory is a mount point: rm emptied it and cannot
      // remove the mount point itself, which the fleet's deletion unmounts first
      assertThat(DiskImages.isMountPoint(layout.instanceDir())).as(e.getMessage()).isTrue();
    }
    stopAttacker();
    fleet.deleteInstance(id);

    assertThat(stat(victimRoot))
        .as("owner and mode of every file outside the tree")
        .isEqualTo(before);
    assertThat(Files.readString(victim.resolve("secret"))).isEqualTo("root's secret");
    assertThat(installed)
        .as("skills still install or update despite the attack; failures: %s", failures)
        .isPositive();
    assertThat(dir.resolve(id)).doesNotExist();
  }

  private void startAttacker(SystemUser tenant, InstanceLayout layout, Path victim)
      throws IOException {
    for (String d : List.of("workspace/d", "state/d", "state/x")) {
      Path p = layout.instanceDir().resolve(d);
      Files.createDirectories(p);
      Files.writeString(p.resolve("secret"), "tenant's own");
      Files.createDirectories(p.resolve("sub"));
      Files.writeString(p.resolve("sub").resolve("inner"), "tenant's own");
      try (Stream<Path> files = Files.walk(p)) {
        for (Path file : files.toList()) {
          InstanceLayout.chown(file, tenant);
        }
      }
    }
    attacker =
        new ProcessBuilder(
                "setpriv",
                "--reuid",
                Integer.toString(tenant.uid()),
                "--regid",
                Integer.toString(tenant.gid()),
                "--clear-groups",
                "--",
                "/bin/sh",
                "-c",
                ATTACK,
                "attack",
                layout.instanceDir().toString(),
                victim.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
  }

  private void stopAttacker() throws InterruptedException {
    if (attacker != null && attacker.isAlive()) {
      attacker.descendants().forEach(ProcessHandle::destroyForcibly);
      attacker.destroyForcibly();
      attacker.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Path privateFile(Path file, String content) throws IOException {
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  /** path → uid:gid:mode of everything under {@code root}, links not followed. */
  private static Map<String, String> stat(Path root) throws IOException {
    Map<String, String> stats = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.toList()) {
        stats.put(
            root.relativize(p).toString(),
            Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                + ":"
                + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS)
                + ":"
                + Integer.toOctalString(
                    (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)));
      }
    }
    return stats;
  }
}
