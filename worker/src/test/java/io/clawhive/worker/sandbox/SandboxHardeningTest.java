package io.clawhive.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.PortAllocator;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.BoundedCommand;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.standin.StandIn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As root with bubblewrap: inside a tenant's hardened sandbox no user namespace can be made, no
 * capability is held, and ptrace, keyctl, bpf, io_uring and mount answer EPERM (seccomp); the same
 * probes succeed with the filter off, so the test can tell.
 */
class SandboxHardeningTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** Prints the errno of each raw syscall (0 = it succeeded). */
  private static final String SYSCALLS =
      "import ctypes\n"
          + "libc = ctypes.CDLL(None, use_errno=True)\n"
          + "def errno(nr, *args):\n"
          + "    ctypes.set_errno(0)\n"
          + "    r = libc.syscall(nr, *args)\n"
          + "    return 0 if r >= 0 else ctypes.get_errno()\n"
          + "print('ptrace', errno(101, 0, 0, 0, 0))\n" // PTRACE_TRACEME
          + "print('keyctl', errno(250, 0, -3, 0))\n" // KEYCTL_GET_KEYRING_ID, session
          + "print('bpf', errno(321, 0, 0, 0))\n"
          + "print('io_uring_setup', errno(425, 4, 0))\n"
          + "print('personality', errno(135, 0xffffffff))\n";

  @TempDir Path dir;
  @TempDir Path runtimeDir;

  private final SystemUsers users = new SystemUsers("clawhd-");
  private SystemUser user;
  private Isolation isolation;
  private Runnable restoreForwarding;

  @BeforeEach
  void setUp() {
    SandboxHost.assumeSandboxHost();
    assumeTrue("amd64".equals(System.getProperty("os.arch")), "syscall numbers below are x86_64's");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 not installed");
    user = users.ensure("hard1");
    restoreForwarding = SandboxHost.forwardingRestorer();
  }

  @AfterEach
  void tearDown() {
    if (isolation != null) {
      isolation.uninstall();
    }
    if (restoreForwarding != null) {
      restoreForwarding.run();
    }
    if (user != null) {
      users.delete(user);
    }
  }

  @Test
  void insideTheSandboxNoUserNamespaceNoCapabilityAndTheEscapeSyscallsAnswerEperm()
      throws Exception {
    isolation = Isolation.forMode(SandboxHost.config("sandbox", List.of()), 2);
    CommandWrapper wrapper = wrapper();

    BoundedCommand.Result userns = run(wrapper, "unshare", "-U", "true");
    assertThat(userns.exitCode()).as("unshare -U: %s", userns.stdout()).isNotZero();
    BoundedCommand.Result mountns = run(wrapper, "unshare", "-m", "true");
    assertThat(mountns.exitCode()).as("unshare -m: %s", mountns.stdout()).isNotZero();
    assertThat(run(wrapper, "grep", "^CapEff", "/proc/self/status").stdout())
        .contains("0000000000000000");

    String errnos = run(wrapper, "/usr/bin/python3", "-c", SYSCALLS).stdout();
    assertThat(errnos)
        .contains("ptrace 1\n")
        .contains("keyctl 1\n")
        .contains("bpf 1\n")
        .contains("io_uring_setup 1\n")
        .as("personality is allowed (querying it is common)")
        .contains("personality 0\n");
    assertThat(run(wrapper, "id", "-u").stdout().strip())
        .as("ordinary commands still run, as the tenant")
        .isEqualTo(Integer.toString(user.uid()));
  }

  @Test
  void withoutTheFilterTheSameProbesSucceedSoTheTestCanTell() throws Exception {
    IsolationConfig config = SandboxHost.config("sandbox", List.of());
    config.setSeccomp(false);
    isolation = Isolation.forMode(config, 2);

    String errnos = run(wrapper(), "/usr/bin/python3", "-c", SYSCALLS).stdout();
    assertThat(errnos).contains("ptrace 0\n").doesNotContain("keyctl 1\n");
  }

  private CommandWrapper wrapper() throws Exception {
    InstanceLayout layout =
        InstanceLayout.of(StandIn.instancesRoot(dir), "hard1").create(Optional.of(user));
    // every command of an instance runs in its own network namespace, made when it is created
    isolation.onInstanceCreated("hard1", user, PortAllocator.DEFAULT_FIRST_PORT, 0);
    return isolation.commandWrapper(layout, Optional.of(user), new RuntimeLayout(runtimeDir));
  }

  private BoundedCommand.Result run(CommandWrapper wrapper, String... command) {
    Path work = dir.resolve("hard1").resolve("workspace");
    Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "HOME", work.toString());
    return BoundedCommand.run(
        new BoundedCommand.Request(
            wrapper.wrap(List.of(command), env, work),
            env,
            Optional.of(work),
            null,
            true,
            TIMEOUT));
  }
}
