package io.clawhive.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A firewall tool that hangs (ignoring SIGTERM) fails its call with a message naming it. */
class HostToolTimeoutTest {

  @TempDir Path dir;

  @Test
  void aHangingIptablesIsKilledAtItsTimeoutAndReportedAsAFailure() throws Exception {
    Path tool = dir.resolve("iptables");
    Files.writeString(tool, "#!/bin/sh\ntrap '' TERM\nwhile :; do sleep 1; done\n");
    Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));

    HostTool.Result result =
        HostTool.run(List.of(tool.toString(), "-S"), "*filter\nCOMMIT\n", Duration.ofSeconds(2));

    assertThat(result.ok()).isFalse();
    assertThat(result.exitCode()).isEqualTo(-1);
    assertThat(result.firstLine()).startsWith("iptables timed out after 2000 ms and was killed");
  }
}
