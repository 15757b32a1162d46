package io.clawhive.worker.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingLogWriterTest {

  @TempDir Path dir;

  @Test
  void capsEachFileAndKeepsOnlyTheNewestRotations() throws Exception {
    Path log = dir.resolve("gateway.log");
    try (RotatingLogWriter writer = new RotatingLogWriter(log, 100, 2)) {
      for (int i = 0; i < 10; i++) {
        byte[] line =
            String.format("line %02d %s\n", i, "x".repeat(30)).getBytes(StandardCharsets.UTF_8);
        writer.write(line, 0, line.length);
      }
    }
    assertThat(Files.size(log)).isLessThanOrEqualTo(100);
    assertThat(Files.size(RotatingLogWriter.rotated(log, 1))).isEqualTo(100);
    assertThat(Files.size(RotatingLogWriter.rotated(log, 2))).isEqualTo(100);
    assertThat(RotatingLogWriter.rotated(log, 3)).doesNotExist();
    String newest = Files.readString(log);
    String all =
        Files.readString(RotatingLogWriter.rotated(log, 2))
            + Files.readString(RotatingLogWriter.rotated(log, 1))
            + newest;
    assertThat(all).endsWith("line 09 " + "x".repeat(30) + "\n");
    assertThat(all).doesNotContain("line 00");
  }
}
