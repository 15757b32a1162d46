package io.clawhive.worker.openclaw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clawhive.worker.fakes.InstalledRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeVerifierTest {

  @TempDir Path dir;

  private final RuntimeVerifier verifier = new RuntimeVerifier();

  @Test
  void absentDirectoryIsOneClearLine() {
    Path missing = dir.resolve("nope");

    assertThatThrownBy(() -> verifier.verify(missing))
        .isInstanceOf(RuntimeMissingException.class)
        .hasMessage(
            "runtime missing at "
                + missing
                + ": run scripts/install-runtime.sh (no such directory)");
  }

  @Test
  void acceptsNode24WithThePinnedPackages() throws IOException {
    fakeRuntime("v24.22.3", "2026.9.6", "0.23.3");

    VerifiedRuntime runtime = verifier.verify(dir);

    assertThat(runtime.nodeVersion()).isEqualTo("24.22.3");
    assertThat(runtime.openclawVersion()).isEqualTo("2026.9.6");
    assertThat(runtime.clawhubVersion()).isEqualTo("0.23.3");
    assertThat(runtime.layout().dir()).isEqualTo(dir.toAbsolutePath());
  }

  @Test
  void refusesNodeOlderThan24_16() throws IOException {
    fakeRuntime("v24.15.9", "2026.9.6", "0.23.3");

    assertThatThrownBy(() -> verifier.verify(dir))
        .isInstanceOf(RuntimeMissingException.class)
        .hasMessageStartingWith(
            "runtime missing at " + dir.toAbsolutePath() + ": run scripts/install-runtime.sh")
        .hasMessageContaining("node 24.15.9 is older than 24.16");
  }

  @Test
  void refusesAnOpenclawThatIsNotThePinnedVersion() throws IOException {
    fakeRuntime("v24.22.3", "2026.8.1", "0.23.3");

    assertThatThrownBy(() -> verifier.verify(dir))
        .isInstanceOf(RuntimeMissingException.class)
        .hasMessageContaining("openclaw 2026.8.1 installed, 2026.9.6 pinned");
  }

  @Test
  void refusesAMissingClawhub() throws IOException {
    fakeRuntime("v24.22.3", "2026.9.6", null);

    assertThatThrownBy(() -> verifier.verify(dir))
        .isInstanceOf(RuntimeMissingException.class)
        .hasMessageContaining("clawhub is not installed");
  }

  @Test
  void refusesANodeThatDoesNotRun() throws IOException {
    fakeRuntime("v24.22.3", "2026.9.6", "0.23.3");
    Files.writeString(new RuntimeLayout(dir).nodeBinary(), "#!/bin/sh\necho broken >&2\nexit 3\n");

    assertThatThrownBy(() -> verifier.verify(dir))
        .isInstanceOf(RuntimeMissingException.class)
        .hasMessageContaining("node --version failed: exit 3 broken");
  }

  @Test
  void acceptsTheInstalledRuntime() {
    VerifiedRuntime runtime = InstalledRuntime.assumeInstalled();

    assertThat(runtime.nodeVersion()).isEqualTo(RuntimeVerifier.PINNED_NODE_VERSION);
    assertThat(runtime.openclawVersion()).isEqualTo(RuntimeVerifier.PINNED_OPENCLAW_VERSION);
    assertThat(runtime.clawhubVersion()).isEqualTo(RuntimeVerifier.PINNED_CLAWHUB_VERSION);
  }

  /** A runtime directory whose "node" is a shell script printing {@code nodeVersion}. */
  private void fakeRuntime(String nodeVersion, String openclaw, String clawhub) throws IOException {
    RuntimeLayout layout = new RuntimeLayout(dir);
    Files.createDirectories(layout.nodeBinDir());
    Files.writeString(layout.nodeBinary(), "#!/bin/sh\necho " + nodeVersion + "\n");
    Files.setPosixFilePermissions(
        layout.nodeBinary(), PosixFilePermissions.fromString("rwx------"));
    writePackage(layout.openclawPackageDir(), "openclaw", openclaw, "openclaw.mjs");
    writePackage(layout.clawhubPackageDir(), "clawhub", clawhub, "bin/clawdhub.js");
  }

  private static void writePackage(Path packageDir, String name, String version, String entry)
      throws IOException {
    if (version == null) {
      return;
    }
    Files.createDirectories(packageDir.resolve(entry).getParent());
    Files.writeString(
        packageDir.resolve("package.json"),
        "{\"name\":\"" + name + "\",\"version\":\"" + version + "\"}");
    Files.writeString(packageDir.resolve(entry), "// entry\n");
  }
}
