package io.clawhive.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host tool that hangs, ignores SIGTERM, keeps its stdout open in a background child, or floods
 * its output is killed (the whole tree) at its timeout with an error naming the tool; a normal tool
 * still gets its exit code, output and stdin.
 */
class BoundedCommandTest {

  private static final Duration SHORT = Duration.ofSeconds(2);
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void aHangingToolThatIgnoresSigtermIsKilledWithItsChildrenAtTheTimeout() throws Exception {
    Path pids = dir.resolve("pids");
    Path tool =
        script(
            "stuck-tool",
            "trap '' TERM\n"
                + "sleep 600 &\n"
                + "echo $! > "
                + pids
                + "\n"
                + "echo $$ >> "
                + pids
                + "\n"
                + "echo started\n"
                + "while :; do sleep 1; done\n");

    BoundedCommand.Result result = run(List.of(tool.toString()), null, SHORT);

    assertThat(result.timedOut()).isTrue();
    assertThat(result.ok()).isFalse();
    assertThat(result.error()).startsWith("stuck-tool timed out after 2000 ms and was killed");
    for (String pid : Files.readAllLines(pids)) {
      await("process " + pid + " of the tool's tree gone")
          .atMost(WAIT)
          .until(() -> ProcessHandle.of(Long.parseLong(pid)).map(p -> !p.isAlive()).orElse(true));
    }
  }

  @Test
  void outputIsCappedAndAFloodingToolDoesNotBlockIt() throws Exception {
    BoundedCommand.Result result =
        run(List.of("/bin/sh", "-c", "head -c 1000000 /dev/zero; echo done >&2"), null, WAIT);
    assertThat(result.ok()).isTrue();
    assertThat(result.stdout()).hasSize(BoundedCommand.MAX_CAPTURED_BYTES);
    assertThat(result.stderr()).isEqualTo("done\n");
  }

  @Test
  void aNormalToolGetsItsInputAndReturnsItsExitCodeAndOutput() throws Exception {
    BoundedCommand.Result result =
        run(List.of("/bin/sh", "-c", "tr a-z A-Z; exit 3"), "hello\n", WAIT);
    assertThat(result.timedOut()).isFalse();
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stdout()).isEqualTo("HELLO\n");
    assertThat(result.error()).isEmpty();
  }

  @Test
  void hostToolsSeeOnlyPathAndLangOfTheWorkersEnvironment() {
    assertThat(System.getenv(GatewayLauncherTest.FAKE_SECRET_NAME))
        .as("surefire puts a fake secret into the worker's env")
        .isNotBlank();
    BoundedCommand.Result env = run(List.of("/usr/bin/env"), null, WAIT);
    assertThat(env.stdout())
        .doesNotContain(GatewayLauncherTest.FAKE_SECRET_NAME)
        .doesNotContain(System.getenv(GatewayLauncherTest.FAKE_SECRET_NAME));
    assertThat(env.stdout().lines().map(l -> l.substring(0, l.indexOf('='))))
        .isSubsetOf("PATH", "LANG");
  }

  @Test
  void aMissingToolIsAClearErrorNotAnException() {
    BoundedCommand.Result result = run(List.of(dir.resolve("no-such-tool").toString()), null, WAIT);
    assertThat(result.ok()).isFalse();
    assertThat(result.error()).startsWith("cannot start no-such-tool");
  }

  private static BoundedCommand.Result run(List<String> argv, String input, Duration timeout) {
    return BoundedCommand.run(
        new BoundedCommand.Request(
            argv, BoundedCommand.hostToolEnvironment(), Optional.empty(), input, false, timeout));
  }

  private Path script(String name, String body) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    return file;
  }
}
