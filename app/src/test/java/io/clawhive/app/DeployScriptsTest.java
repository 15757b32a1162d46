package io.clawhive.app;

import static io.clawhive.app.DeployFiles.DEPLOY;
import static io.clawhive.app.DeployFiles.REPO;
import static io.clawhive.app.DeployFiles.UNITS;
import static io.clawhive.app.DeployFiles.UNIT_NAMES;
import static io.clawhive.app.DeployFiles.assertMode;
import static io.clawhive.app.DeployFiles.onPath;
import static io.clawhive.app.DeployFiles.run;
import static io.clawhive.app.DeployFiles.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clawhive.app.DeployFiles.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shell scripts: shellcheck on all of them, and install.sh / harden-host.sh run into a
 * temporary root (never against this host: no package install, no useradd, no systemctl, no live
 * firewall) with the right tree and modes, changing nothing the second time.
 */
class DeployScriptsTest {
  @TempDir Path temp;

  @Test
  void shellScriptsPassShellcheck() throws Exception {
    assumeTrue(onPath("shellcheck"), "shellcheck missing: apt-get install shellcheck");
    List<String> command = new ArrayList<>(List.of("shellcheck", "--severity=style"));
    List<Path> scripts = new ArrayList<>();
    for (Path dir : List.of(DEPLOY, REPO.resolve("scripts"))) {
      try (Stream<Path> files = Files.list(dir)) {
        files.filter(f -> f.toString().endsWith(".sh")).sorted().forEach(scripts::add);
      }
    }
    scripts.add(REPO.resolve(".ci").resolve("run"));
    assertThat(scripts)
        .extracting(p -> p.getFileName().toString())
        .contains("install.sh", "harden-host.sh", "setup.sh", "install-runtime.sh", "run");
    scripts.forEach(p -> command.add(p.toString()));
    Result result = run(command, Map.of());
    assertThat(result.exitCode()).as(result.output()).isZero();
  }

  @Test
  void installIntoATemporaryRootLaysOutTheTreeAndASecondRunChangesNothing() throws Exception {
    Path root = Files.createDirectory(temp.resolve("root"));
    Path jar = temp.resolve("clawhive.jar");
    Files.writeString(jar, "stands for the jar: the script only copies it");

    Result first = install(root, jar);
    assertThat(first.exitCode()).as(first.output()).isZero();
    assertThat(first.output()).contains("skipped with --root: packages").doesNotContain("done: 0");

    String passwd = Files.readString(root.resolve("etc/passwd"));
    assertThat(passwd).containsPattern("(?m)^clawhive:x:\\d+:\\d+:.*:/usr/sbin/nologin$");
    int uid = Integer.parseInt(passwd.split(":")[2]);

    assertThat(Files.readString(root.resolve("opt/clawhive/clawhive.jar")))
        .isEqualTo(Files.readString(jar));
    assertMode(root, "opt/clawhive/clawhive.jar", "rw-r--r--", 0);
    assertMode(root, "etc/clawhive", "rwxr-x---", 0);
    assertMode(root, "etc/clawhive/config.yml", "rw-r-----", 0);
    assertMode(root, "etc/clawhive/clawhive.env", "rw-------", 0);
    assertMode(root, "var/lib/clawhive", "rwx--x--x", 0);
    assertMode(root, "var/lib/clawhive/api", "rwx------", uid);
    assertMode(root, "var/lib/clawhive/scheduler", "rwx------", uid);
    assertThat(Files.readString(root.resolve("etc/clawhive/config.yml")))
        .isEqualTo(Files.readString(REPO.resolve("config.yml")));
    assertThat(Files.readString(root.resolve("etc/clawhive/clawhive.env")))
        .containsPattern("(?m)^CLAWHIVE_ADMIN_TOKEN=[0-9a-f]{48}$");
    for (String name : UNIT_NAMES) {
      assertThat(root.resolve("etc/systemd/system").resolve(name))
          .hasSameTextualContentAs(UNITS.resolve(name));
      assertMode(root, "etc/systemd/system/" + name, "rw-r--r--", 0);
    }

    Map<String, String> before = snapshot(root);
    Result second = install(root, jar);
    assertThat(second.exitCode()).as(second.output()).isZero();
    assertThat(second.output()).contains("done: 0 change(s)");
    assertThat(snapshot(root)).isEqualTo(before);

    // An operator's edits survive: the env file is never rewritten, an edited config is kept.
    Path env = root.resolve("etc/clawhive/clawhive.env");
    Path config = root.resolve("etc/clawhive/config.yml");
    Files.writeString(env, "CLAWHIVE_ADMIN_TOKEN=mine\n");
    Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r--r--"));
    Files.writeString(config, "# edited\n", StandardOpenOption.APPEND);
    Result third = install(root, jar);
    assertThat(third.exitCode()).as(third.output()).isZero();
    assertThat(Files.readString(env)).isEqualTo("CLAWHIVE_ADMIN_TOKEN=mine\n");
    assertMode(root, "etc/clawhive/clawhive.env", "rw-------", 0);
    assertThat(Files.readString(config)).endsWith("# edited\n");
    assertThat(root.resolve("etc/clawhive/config.yml.new"))
        .hasSameTextualContentAs(REPO.resolve("config.yml"));
  }

  @Test
  void hardeningIntoATemporaryRootWritesItsFilesOnceAndDryRunWritesNothing() throws Exception {
    Path root = Files.createDirectory(temp.resolve("root"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/nftables.conf"), "flush ruleset\n");

    Result dry = harden(root, "--dry-run", "--ssh-port", "2222");
    assertThat(dry.exitCode()).as(dry.output()).isZero();
    assertThat(dry.output()).contains("would write: /etc/nftables.conf").contains("nothing");
    assertThat(Files.readString(root.resolve("etc/nftables.conf"))).isEqualTo("flush ruleset\n");
    assertThat(root.resolve("etc/fail2ban")).doesNotExist();

    Result first = harden(root, "--ssh-port", "2222");
    assertThat(first.exitCode()).as(first.output()).isZero();
    assertThat(first.output())
        .contains("skipped with --root: nft -f /etc/nftables.conf")
        .doesNotContain("running:");
    String ruleset = Files.readString(root.resolve("etc/nftables.conf"));
    assertThat(ruleset)
        .contains("define ssh_port = 2222", "define https_port = 443", "policy drop;")
        .doesNotContainPattern("(?m)^\\s*flush ruleset")
        .doesNotContainPattern("dport\\s+(8080|8081|2\\d{4})");
    assertThat(Files.readString(root.resolve("etc/nftables.conf.orig")))
        .isEqualTo("flush ruleset\n");
    assertThat(Files.readString(root.resolve("etc/fail2ban/jail.d/clawhive.local")))
        .contains("[sshd]", "enabled = true", "port = 2222");
    assertThat(Files.readString(root.resolve("etc/apt/apt.conf.d/20auto-upgrades")))
        .contains("APT::Periodic::Unattended-Upgrade \"1\";");
    assertMode(root, "etc/fail2ban/jail.d/clawhive.local", "rw-r--r--", 0);

    Map<String, String> before = snapshot(root);
    Result second = harden(root, "--ssh-port", "2222");
    assertThat(second.output()).contains("done: 0 change(s)").doesNotContain("restart");
    assertThat(snapshot(root)).isEqualTo(before);

    Result proxyPort = harden(root, "--https-port", "8080");
    assertThat(proxyPort.exitCode()).isEqualTo(2);
    assertThat(proxyPort.output()).contains("8080");
  }

  private Result install(Path root, Path jar) throws Exception {
    return run(
        List.of(
            DEPLOY.resolve("install.sh").toString(),
            "--root",
            root.toString(),
            "--jar",
            jar.toString(),
            "--skip-runtime"),
        Map.of());
  }

  private Result harden(Path root, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(List.of(DEPLOY.resolve("harden-host.sh").toString(), "--root"));
    command.add(root.toString());
    command.addAll(List.of(args));
    return run(command, Map.of());
  }
}
