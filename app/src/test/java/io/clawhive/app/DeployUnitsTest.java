package io.clawhive.app;

import static io.clawhive.app.DeployFiles.UNITS;
import static io.clawhive.app.DeployFiles.UNIT_NAMES;
import static io.clawhive.app.DeployFiles.isRoot;
import static io.clawhive.app.DeployFiles.onPath;
import static io.clawhive.app.DeployFiles.parse;
import static io.clawhive.app.DeployFiles.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clawhive.app.DeployFiles.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The systemd units: they pass {@code systemd-analyze verify} (Debian's systemd package; skipped,
 * saying so, when it is missing), keep the hardening each role can bear, and the worker unit's
 * capability bounding set still runs the sandbox.
 */
class DeployUnitsTest {
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
    assumeTrue(isRoot(), "needs root");
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

  /** The unit as systemd-analyze can check it on this host (where java may live elsewhere). */
  private static String runnableHere(String unit) {
    if (Files.isExecutable(Path.of("/usr/bin/java"))) {
      return unit;
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return unit.replace("ExecStart=/usr/bin/java ", "ExecStart=" + java + " ");
  }
}
