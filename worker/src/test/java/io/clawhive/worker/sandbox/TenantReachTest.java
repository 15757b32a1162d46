package io.clawhive.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which data dir locations a worker with tenant users accepts at start, and the refusal line. */
class TenantReachTest {

  @TempDir Path dir;

  @Test
  void aDataDirUnderAPrivateParentIsRefusedNamingTheDirectoryAndTheFix() throws Exception {
    Path locked = Files.createDirectories(dir.resolve("root-home"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
    Path instances = locked.resolve("clawhive").resolve("data").resolve("instances");
    Path runtime = Files.createDirectories(dir.resolve("runtime"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));

    assertThatThrownBy(() -> TenantReach.require(IsolationMode.SANDBOX, instances, runtime))
        .isInstanceOf(IsolationUnavailableException.class)
        .hasMessageContaining("cannot pass " + locked + " (mode rwx------)")
        .hasMessageContaining("chmod o+x " + locked)
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> TenantReach.require(IsolationMode.USER, runtime, instances))
        .hasMessageContaining("cannot pass " + locked);
  }

  @Test
  void aPassableLocationIsAcceptedAndTheInstancesDirIsCreatedPassableButNotListable()
      throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    Path instances = dir.resolve("data").resolve("instances");
    Path runtime = Files.createDirectories(dir.resolve("runtime"));

    TenantReach.require(IsolationMode.SANDBOX, instances, runtime);

    assertThat(Files.getPosixFilePermissions(instances))
        .isEqualTo(PosixFilePermissions.fromString("rwx--x--x"));
  }

  @Test
  void modeNoneChecksNothing() throws Exception {
    Path locked = Files.createDirectories(dir.resolve("private"));
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
    TenantReach.require(IsolationMode.NONE, locked.resolve("instances"), locked);
    assertThat(locked.resolve("instances")).doesNotExist();
  }
}
