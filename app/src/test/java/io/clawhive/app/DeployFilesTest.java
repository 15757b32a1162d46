package io.clawhive.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy files as CI checks them: the systemd units pass {@code systemd-analyze verify} and
 * keep the hardening each role can bear, every shell script passes shellcheck, and the install and
 * hardening scripts run into a temporary root (never against this host: no package install, no
 * systemctl, no live firewall) with the right tree and modes, changing nothing the second time.
 * Checks whose tool is missing skip, naming the Debian package ({@code .ci/run} installs them).
 */
class DeployFilesTest {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Path DEPLOY = REPO.resolve("deploy");
  private static final Path UNITS = DEPLOY.resolve("systemd");
  private static final List<String> UNIT_NAMES =
      List.of(
          "clawhive.service",
          "clawhive-api.service",
          "clawhive-worker.service",
          "clawhive-scheduler.service");
  private static final String EXEC_START =
      "/usr/bin/java -jar /opt/clawhive/clawhive.jar server /etc/clawhive/config.yml";

  /** Options that would break the worker's sandbox (namespaces, sysctl, cgroups, hostname). */
  private static final List<String> BREAK_THE_SANDBOX =
      List.of(
          "PrivateNetwork",
          "RestrictNamespaces",
          "ProtectKernelTunables",
          "ProtectControlGroups",
          "ProtectHostname",
          "ProtectKernelModules",
          "PrivateDevices",
          "SystemCallFilter",
          "PrivateUsers",
          "DynamicUser");

  @TempDir Path temp;

  @Test
  void unitsPassSystemdAnalyzeVerify() throws Exception {
    assumeTrue(onPath("systemd-analyze"), "systemd-analyze missing: apt-get install systemd");
    Path dir = Files.createDirectory(temp.resolve("units"));
    for (String name : UNIT_NAMES) {
      Files.writeString(dir.resolve(name), runnableHere(Files.readString(UNITS.resolve(name))));
    }
    List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no"));
    UNIT_NAMES.forEach(name -> command.add(dir.resolve(name).toString()));
    Result verify = run(command, Map.of());
    assertThat(verify.exitCode()).as(verify.output()).isZero();
    assertThat(verify.output()).as("systemd-analyze warnings").isBlank();

    // The check can fail: a misspelt key is reported.
    Path broken = dir.resolve("clawhive-broken.service");
    Files.writeString(
        broken,
        runnableHere(Files.readString(UNITS.resolve("clawhive-api.service")))
            .replace("ProtectHome=yes", "ProtectHomme=yes"));
    Result bad = run(List.of("systemd-analyze", "verify", "--man=no", broken.toString()), Map.of());
    assertThat(bad.output()).contains("Unknown key").contains("ProtectHomme");
  }

  @Test
  void everyUnitRestartsOnFailureWithALimitSecretsFileAndAGracefulStop() throws Exception {
    for (String name : UNIT_NAMES) {
      Map<String, List<String>> unit = parse(UNITS.resolve(name));
      assertThat(unit.get("ExecStart")).as(name).containsExactly(EXEC_START);
      assertThat(unit.get("Restart")).as(name).containsExactly("on-failure");
      assertThat(unit.get("StartLimitIntervalSec")).as(name).isNotEmpty();
      assertThat(unit.get("StartLimitBurst")).as(name).isNotEmpty();
      assertThat(unit.get("EnvironmentFile"))
          .as(name)
          .containsExactly("/etc/clawhive/clawhive.env");
      assertThat(unit.get("Environment"))
          .as(name)
          .contains("CLAWHIVE_RUNTIME_DIR=/opt/clawhive/runtime");
      assertThat(unit.get("KillMode")).as(name).containsExactly("mixed");
      assertThat(unit.get("SuccessExitStatus")).as(name).containsExactly("143");
      assertThat(unit.get("NoNewPrivileges")).as(name).containsExactly("yes");
      assertThat(unit.get("ProtectSystem")).as(name).containsExactly("strict");
      assertThat(unit.get("ProtectHome")).as(name).containsExactly("yes");
      assertThat(unit.get("PrivateTmp")).as(name).containsExactly("yes");
      assertThat(unit.get("CapabilityBoundingSet")).as(name).hasSize(1);
    }
  }

  @Test
  void rootRolesKeepTheSandboxWorkingAndTheOthersRunUnprivileged() throws Exception {
    for (String name : List.of("clawhive.service", "clawhive-worker.service")) {
      Map<String, List<String>> unit = parse(UNITS.resolve(name));
      assertThat(unit.get("User")).as(name).containsExactly("root");
      assertThat(unit.keySet()).as(name).doesNotContainAnyElementsOf(BREAK_THE_SANDBOX);
      assertThat(unit.get("Environment")).as(name).contains("CLAWHIVE_DATA_DIR=/var/lib/clawhive");
      assertThat(unit.get("ReadWritePaths").get(0).split(" "))
          .as(name)
          .contains("/var/lib/clawhive", "/etc", "/run");
      assertThat(unit.get("CapabilityBoundingSet").get(0).split(" "))
          .as(name)
          .contains("CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SETUID", "CAP_SETGID")
          .doesNotContain("CAP_SYS_MODULE", "CAP_SYS_BOOT", "CAP_SYS_RAWIO");
    }
    for (String role : List.of("api", "scheduler")) {
      String name = "clawhive-" + role + ".service";
      Map<String, List<String>> unit = parse(UNITS.resolve(name));
      String dataDir = "/var/lib/clawhive/" + role;
      assertThat(unit.get("User")).as(name).containsExactly("clawhive");
      assertThat(unit.get("Environment"))
          .as(name)
          .contains("CLAWHIVE_ROLES=" + role, "CLAWHIVE_DATA_DIR=" + dataDir);
      assertThat(unit.get("ReadWritePaths")).as(name).containsExactly(dataDir);
      assertThat(unit.get("CapabilityBoundingSet")).as(name).containsExactly("");
      for (String option :
          List.of(
              "RestrictNamespaces",
              "ProtectKernelTunables",
              "ProtectControlGroups",
              "ProtectKernelModules",
              "PrivateDevices")) {
        assertThat(unit.get(option)).as(name + " " + option).containsExactly("yes");
      }
    }
  }

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

  /**
   * Parses and loads the firewall ruleset only inside a network namespace made for this test, so
   * this host's own ruleset is never read or changed; loading twice proves a reload is idempotent.
   */
  @Test
  void rulesetLoadsTwiceInAThrowawayNetworkNamespace() throws Exception {
    assumeTrue(onPath("nft") && onPath("unshare"), "nft/unshare missing: apt-get install nftables");
    assumeTrue(
        "root".equals(System.getProperty("user.name")), "needs root to create a network namespace");
    Path conf = DEPLOY.resolve("nftables.conf");
    Result loaded =
        run(
            List.of(
                "unshare",
                "--net",
                "sh",
                "-c",
                "nft -c -f \"$1\" && nft -f \"$1\" && nft -f \"$1\" && nft list ruleset",
                "sh",
                conf.toString()),
            Map.of());
    assertThat(loaded.exitCode()).as(loaded.output()).isZero();
    assertThat(loaded.output())
        .containsOnlyOnce("table inet clawhive_host")
        .contains("policy drop;", "tcp dport 22 ct state new accept")
        .contains("tcp dport 443 ct state new accept", "iifname \"chv*\" accept");
  }

  /**
   * The ruleset's effect, in two network namespaces this test creates (unnamed: nothing under
   * /run/netns, no host interface): a client reaches the host's ssh and HTTPS ports over a veth,
   * but not 8080/8081 nor a gateway port, which loopback inside the host still reaches. Before the
   * ruleset is loaded all of them answer, so the drops are the ruleset's.
   */
  @Test
  void rulesetOpensOnlySshAndHttpsToANeighbour() throws Exception {
    assumeTrue(
        onPath("nft") && onPath("unshare") && onPath("nsenter") && onPath("ip"),
        "nft/unshare/nsenter/ip missing: apt-get install nftables util-linux iproute2");
    assumeTrue(
        "root".equals(System.getProperty("user.name")), "needs root to create network namespaces");
    Path script = temp.resolve("firewall-check.sh");
    Files.writeString(script, FIREWALL_CHECK);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classes =
        Path.of(Listener.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    Result result =
        run(
            List.of(
                "bash",
                script.toString(),
                DEPLOY.resolve("nftables.conf").toString(),
                java,
                classes,
                Listener.class.getName()),
            Map.of());
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output())
        .contains("before 22 open", "before 443 open", "before 8080 open", "before 8081 open")
        .contains("before 20000 open")
        .contains("after 22 open", "after 443 open")
        .contains("after 8080 closed", "after 8081 closed", "after 20000 closed")
        .contains("loopback 8080 open", "loopback 20000 open");
  }

  /**
   * What the worker unit keeps (its capability bounding set, no_new_privs) still runs the sandbox:
   * bubblewrap as an unprivileged uid with pid/ipc/uts namespaces and its own host name, a veth, an
   * iptables owner rule and ip_forward, the last three inside a network namespace made for this
   * test (the host's interfaces, rules and sysctls are not touched).
   */
  @Test
  void workerUnitCapabilitiesStillRunTheSandbox() throws Exception {
    assumeTrue(
        onPath("setpriv") && onPath("bwrap") && onPath("unshare") && onPath("iptables"),
        "setpriv/bwrap/unshare/iptables missing: apt-get install bubblewrap iptables");
    assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
    String bounding =
        Stream.of(parse(UNITS.resolve("clawhive-worker.service")).get("CapabilityBoundingSet"))
            .flatMap(list -> Stream.of(list.get(0).split(" ")))
            .map(cap -> "+" + cap.substring("CAP_".length()).toLowerCase(java.util.Locale.ROOT))
            .collect(java.util.stream.Collectors.joining(","));
    List<String> confined =
        List.of("setpriv", "--bounding-set", "-all," + bounding, "--no-new-privs", "--");
    List<String> sandbox = new ArrayList<>(confined);
    sandbox.addAll(
        List.of(
            "setpriv",
            "--reuid",
            "65534",
            "--regid",
            "65534",
            "--clear-groups",
            "--no-new-privs",
            "bwrap",
            "--ro-bind",
            "/usr",
            "/usr",
            "--symlink",
            "usr/bin",
            "/bin",
            "--symlink",
            "usr/lib",
            "/lib",
            "--symlink",
            "usr/lib64",
            "/lib64",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--tmpfs",
            "/tmp",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--hostname",
            "clawhive",
            "--die-with-parent",
            "--new-session",
            "--clearenv",
            "/bin/sh",
            "-c",
            "echo host=$(hostname) uid=$(id -u)"));
    Result bwrap = run(sandbox, Map.of());
    assertThat(bwrap.exitCode()).as(bwrap.output()).isZero();
    assertThat(bwrap.output()).contains("host=clawhive uid=65534");

    List<String> network = new ArrayList<>(confined);
    network.addAll(
        List.of(
            "unshare",
            "--net",
            "sh",
            "-c",
            "ip link add chvtest0 type veth peer name eth9"
                + " && ip addr add 10.213.1.0/31 dev chvtest0 && ip link set chvtest0 up"
                + " && iptables -w -A OUTPUT -o lo -p tcp -m owner --uid-owner 65534 -j REJECT"
                + " && echo 1 > /proc/sys/net/ipv4/ip_forward"
                + " && echo forward=$(cat /proc/sys/net/ipv4/ip_forward)"
                + " && iptables -w -S OUTPUT"));
    Result net = run(network, Map.of());
    assertThat(net.exitCode()).as(net.output()).isZero();
    assertThat(net.output()).contains("forward=1").contains("--uid-owner 65534 -j REJECT");
  }

  /** Listens on the given TCP ports (all addresses) and accepts until killed. */
  static final class Listener {
    public static void main(String[] args) throws Exception {
      List<java.net.ServerSocket> sockets = new ArrayList<>();
      for (String port : args) {
        sockets.add(new java.net.ServerSocket(Integer.parseInt(port)));
      }
      for (java.net.ServerSocket socket : sockets) {
        new Thread(
                () -> {
                  while (true) {
                    try {
                      socket.accept().close();
                    } catch (IOException e) {
                      return;
                    }
                  }
                })
            .start();
      }
      System.out.println("listening");
    }
  }

  private static final String FIREWALL_CHECK =
      """
      set -euo pipefail
      conf=$1 java=$2 classes=$3 main=$4
      ports="22 443 8080 8081 20000"
      unshare --net sleep 300 & server=$!
      unshare --net sleep 300 & client=$!
      listener=""
      trap 'kill $server $client $listener 2>/dev/null || true' EXIT
      own=$(readlink /proc/self/ns/net)
      for _ in $(seq 100); do
        s=$(readlink /proc/$server/ns/net) c=$(readlink /proc/$client/ns/net)
        if [ "$s" != "$own" ] && [ "$c" != "$own" ]; then break; fi
        sleep 0.05
      done
      in_server() { nsenter -t "$server" -n "$@"; }
      in_client() { nsenter -t "$client" -n "$@"; }
      in_server ip link add s0 type veth peer name c0 netns "$client"
      in_server ip addr add 10.213.0.1/30 dev s0
      in_server ip link set s0 up
      in_server ip link set lo up
      in_client ip addr add 10.213.0.2/30 dev c0
      in_client ip link set c0 up
      nsenter -t "$server" -n "$java" -cp "$classes" "$main" $ports & listener=$!
      reach() { in_client timeout 2 bash -c "exec 3<>/dev/tcp/10.213.0.1/$1" 2>/dev/null; }
      for _ in $(seq 100); do reach 22 && break; sleep 0.1; done
      for port in $ports; do
        if reach "$port"; then echo "before $port open"; else echo "before $port closed"; fi
      done
      in_server nft -f "$conf"
      for port in $ports; do
        if reach "$port"; then echo "after $port open"; else echo "after $port closed"; fi
      done
      for port in 8080 20000; do
        if in_server timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
          echo "loopback $port open"
        else
          echo "loopback $port closed"
        fi
      done
      """;

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

  /** The unit as systemd-analyze can check it on this host (where java may live elsewhere). */
  private static String runnableHere(String unit) {
    if (Files.isExecutable(Path.of("/usr/bin/java"))) {
      return unit;
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return unit.replace("ExecStart=/usr/bin/java ", "ExecStart=" + java + " ");
  }

  private static Map<String, List<String>> parse(Path unit) throws IOException {
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

  private static void assertMode(Path root, String path, String mode, int uid) throws IOException {
    Path file = root.resolve(path);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .as(path)
        .isEqualTo(mode);
    if ("root".equals(System.getProperty("user.name"))) {
      assertThat(Files.getAttribute(file, "unix:uid")).as(path + " owner").isEqualTo(uid);
    }
  }

  /** Path → mode, owner, modification time and content hash of everything under root. */
  private static Map<String, String> snapshot(Path root) throws Exception {
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

  private static boolean onPath(String tool) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool)));
  }

  private static Result run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Result(process.exitValue(), output);
  }

  private record Result(int exitCode, String output) {}
}
