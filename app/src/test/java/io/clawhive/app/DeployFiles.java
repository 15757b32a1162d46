package io.clawhive.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Paths and helpers shared by the tests of the files under {@code deploy/}. */
final class DeployFiles {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path DEPLOY = REPO.resolve("deploy");
  static final Path UNITS = DEPLOY.resolve("systemd");
  static final List<String> UNIT_NAMES =
      List.of(
          "clawhive.service",
          "clawhive-api.service",
          "clawhive-worker.service",
          "clawhive-scheduler.service");

  private DeployFiles() {}

  static Map<String, List<String>> parse(Path unit) throws IOException {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (String line : Files.readAllLines(unit)) {
      if (line.isBlank() || line.startsWith("#") || line.startsWith("[")) {
        continue;
      }
      int eq = line.indexOf('=');
      values
          .computeIfAbsent(line.substring(0, eq), k -> new ArrayList<>())
          .add(line.substring(eq + 1));
    }
    return values;
  }

  static void assertMode(Path root, String path, String mode, int uid) throws IOException {
    Path file = root.resolve(path);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .as(path)
        .isEqualTo(mode);
    if (isRoot()) {
      assertThat(Files.getAttribute(file, "unix:uid")).as(path + " owner").isEqualTo(uid);
    }
  }

  /** Path → mode, owner, modification time and content hash of everything under root. */
  static Map<String, String> snapshot(Path root) throws Exception {
    Map<String, String> entries = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String hash = "";
        if (Files.isRegularFile(file)) {
          hash =
              HexFormat.of()
                  .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        }
        entries.put(
            root.relativize(file).toString(),
            PosixFilePermissions.toString(Files.getPosixFilePermissions(file))
                + " "
                + Files.getAttribute(file, "unix:uid")
                + ":"
                + Files.getAttribute(file, "unix:gid")
                + " "
                + Files.getLastModifiedTime(file)
                + " "
                + hash);
      }
    }
    return entries;
  }

  static boolean onPath(String tool) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool)));
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  static Result run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Result(process.exitValue(), output);
  }

  record Result(int exitCode, String output) {}
}
