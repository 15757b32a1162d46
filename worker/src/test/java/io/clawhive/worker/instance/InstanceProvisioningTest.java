package io.clawhive.worker.instance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceProvisioningTest {

  @TempDir Path root;

  @Test
  void layoutCreatesPrivateDirectories() {
    InstanceLayout layout = InstanceLayout.of(root, "i-1").create(Optional.empty());
    for (Path dir :
        new Path[] {
          layout.instanceDir(),
          layout.stateDir(),
          layout.configDir(),
          layout.workspaceDir(),
          layout.logsDir()
        }) {
      assertThat(dir).isDirectory();
      assertThat(PosixFilePermissions.toString(permissions(dir))).isEqualTo("rwx------");
    }
    assertThat(layout.pidFile().getParent()).isEqualTo(layout.instanceDir());
    layout.delete();
    assertThat(layout.instanceDir()).doesNotExist();
  }

  @Test
  void layoutRejectsIdsThatCouldEscapeTheRoot() {
    assertThatThrownBy(() -> InstanceLayout.of(root, "../etc")).hasMessageContaining("instance id");
  }

  @Test
  void portsAreStridedSkipUsedAndBusyPortsAndRunOut() throws Exception {
    PortAllocator ports = new PortAllocator(43_000, 43_059, 20);
    assertThat(ports.capacity()).isEqualTo(3);
    assertThat(ports.allocate(Set.of())).hasValue(43_000);
    assertThat(ports.allocate(Set.of(43_000))).hasValue(43_020);
    try (ServerSocket busy = new ServerSocket(43_020, 1, InetAddress.getLoopbackAddress())) {
      assertThat(ports.allocate(Set.of(43_000))).hasValue(43_040);
      assertThat(ports.allocate(Set.of(43_000, 43_040))).isEmpty();
    }
    assertThatThrownBy(() -> new PortAllocator(43_000, 44_000, 10)).hasMessageContaining("stride");
  }

  @Test
  void tokensAreRandomAndUrlSafe() {
    String a = AuthTokens.newToken();
    String b = AuthTokens.newToken();
    assertThat(a).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(b);
  }

  @Test
  void userNamesArePrefixedAndShort() {
    SystemUsers users = new SystemUsers("claw-");
    assertThat(users.nameFor("3F2A-9b1c-4d5e-8f00-112233445566"))
        .isEqualTo("claw-3f2a9b1c4d5e8f00112233445566".substring(0, 32));
    assertThat(new SystemUser("u", 1001, 1002).dropPrivilegesPrefix())
        .containsExactly(
            "setpriv",
            "--reuid",
            "1001",
            "--regid",
            "1002",
            "--clear-groups",
            "--no-new-privs",
            "--");
  }

  private static java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions(Path p) {
    try {
      return Files.getPosixFilePermissions(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
