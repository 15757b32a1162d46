package io.clawhive.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up checks that the host can provide an isolation mode. Each failure is an {@link
 * IsolationUnavailableException} whose one-line message names what is missing.
 */
final class HostCheck {

  static final int NOBODY = 65534;
  private static final Logger LOG = LoggerFactory.getLogger(HostCheck.class);
  private static final Path IPV6_ADDRESSES = Path.of("/proc/net/if_inet6");

  private final IsolationConfig config;
  private final IsolationMode mode;
  private Path bwrapPath;
  private Path setprivPath;

  HostCheck(IsolationConfig config, IsolationMode mode) {
    this.config = config;
    this.mode = mode;
  }

  void requireRoot(boolean root) {
    if (!root) {
      throw missing("not running as root (needed for per-tenant users, setpriv and iptables)");
    }
  }

  Path setpriv() {
    return tool(config.getSetpriv(), "setpriv", "util-linux");
  }

  /**
   * bwrap exists and really creates its namespaces as an unprivileged user (nobody), hardened
   * ({@link BubblewrapCommand#HARDENING}).
   */
  Path bwrap(Path setpriv) {
    Path bwrap = tool(config.getBwrap(), "bwrap", "bubblewrap");
    HostTool.Result result = HostTool.run(bwrapProbe(setpriv, bwrap, Optional.empty()));
    if (!result.ok()) {
      throw missing(
          bwrap + " cannot create namespaces as an unprivileged user: " + result.firstLine());
    }
    this.bwrapPath = bwrap;
    this.setprivPath = setpriv;
    return bwrap;
  }

  /**
   * The seccomp filter for sandboxes, proven by loading it in a probe sandbox; empty (with a WARN)
   * when turned off or when this architecture has no syscall table.
   */
  Optional<SeccompFilter> seccomp(boolean enabled) {
    if (!enabled) {
      LOG.warn("isolation.seccomp is off: sandboxes run without a seccomp filter");
      return Optional.empty();
    }
    Optional<SeccompFilter> filter = SeccompFilter.forThisHost();
    if (filter.isEmpty()) {
      LOG.warn(
          "no seccomp syscall table for architecture {}: sandboxes run without a seccomp filter",
          System.getProperty("os.arch"));
      return filter;
    }
    Path program = null;
    try {
      program = Files.createTempFile("clawhive-seccomp-probe", ".bpf");
      Files.write(program, filter.get().program());
      Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rw-r--r--"));
      HostTool.Result result =
          HostTool.run(bwrapProbe(setprivPath, bwrapPath, Optional.of(program)));
      if (!result.ok()) {
        throw missing(
            bwrapPath
                + " cannot load the seccomp filter ("
                + result.firstLine()
                + "); set isolation.seccomp: false to run without it");
      }
    } catch (IOException e) {
      throw missing("cannot write the seccomp probe program: " + e.getMessage());
    } finally {
      if (program != null) {
        try {
          Files.deleteIfExists(program);
        } catch (IOException e) {
          LOG.debug("cannot delete {}", program, e);
        }
      }
    }
    LOG.info(
        "seccomp filter for {}: {} syscalls answer EPERM",
        filter.get().arch(),
        filter.get().deniedCount());
    return filter;
  }

  private List<String> bwrapProbe(Path setpriv, Path bwrap, Optional<Path> seccompProgram) {
    List<String> probe = new ArrayList<>(dropTo(setpriv, NOBODY, NOBODY));
    seccompProgram.ifPresent(
        file ->
            probe.addAll(
                List.of(
                    BubblewrapCommand.SHELL,
                    "-c",
                    BubblewrapCommand.SECCOMP_SHIM,
                    "clawhive-seccomp",
                    file.toString())));
    probe.add(bwrap.toString());
    probe.addAll(List.of("--ro-bind", "/usr", "/usr"));
    for (String name : BubblewrapCommand.ROOT_LINKS) {
      Path path = Path.of(name);
      if (Files.isSymbolicLink(path)) {
        try {
          probe.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), name));
        } catch (IOException e) {
          throw missing("cannot read symlink " + name);
        }
      }
    }
    probe.addAll(BubblewrapCommand.HARDENING);
    seccompProgram.ifPresent(
        file -> probe.addAll(List.of("--seccomp", Integer.toString(BubblewrapCommand.SECCOMP_FD))));
    probe.addAll(
        List.of(
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--tmpfs",
            "/tmp",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--die-with-parent",
            "--new-session",
            "--clearenv",
            "--",
            "/usr/bin/true"));
    return probe;
  }

  /** iptables (and ip6tables where the host has IPv6), each with its -restore sibling. */
  Map<IpFamily, Path> firewallTools() {
    Map<IpFamily, Path> tools = new EnumMap<>(IpFamily.class);
    tools.put(IpFamily.V4, firewallTool(config.getIptables(), "iptables"));
    if (Files.exists(IPV6_ADDRESSES)) {
      tools.put(IpFamily.V6, firewallTool(config.getIp6tables(), "ip6tables"));
    }
    return tools;
  }

  /** Installs the base chains, and a probe tenant's rules (added then removed) to prove them. */
  void installPolicy(EgressPolicy policy) {
    io.clawhive.worker.instance.SystemUser probe =
        new io.clawhive.worker.instance.SystemUser("nobody", NOBODY, NOBODY);
    try {
      policy.installBase();
      policy.addTenant(probe, 1);
      policy.removeTenant(probe);
    } catch (IllegalStateException | EgressPolicyException e) {
      throw missing("cannot install iptables rules: " + e.getMessage());
    }
  }

  /**
   * The per-instance network namespaces: iproute2 present, the pool free on this host, forwarding
   * on, the worker address on lo and the namespace chains installed.
   */
  PrivateNetworks privateNetworks(Path iptables) {
    Path ip = tool(config.getIp(), "ip", "iproute2");
    PrivateNetworks networks =
        new PrivateNetworks(
            config.addressPool(),
            new NetworkNamespaces(ip),
            iptables,
            config.getChain(),
            config.getModelProxyPort(),
            config.allowances(),
            config.isAllowSystemResolvers());
    try {
      networks.start();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw missing(e.getMessage());
    }
    return networks;
  }

  private Path firewallTool(String configured, String name) {
    Path tool = tool(configured, name, "iptables");
    Path restore = EgressPolicy.restoreTool(tool);
    if (!Files.isExecutable(restore)) {
      throw missing(restore + " not found (install the Debian package iptables)");
    }
    return tool;
  }

  private Path tool(String configured, String name, String debianPackage) {
    Optional<Path> found = HostTool.find(configured);
    if (found.isEmpty()) {
      throw missing(
          name
              + " not found ("
              + configured
              + "): install the Debian package "
              + debianPackage
              + " or set isolation."
              + name
              + " to its path");
    }
    return found.get();
  }

  static List<String> dropTo(Path setpriv, int uid, int gid) {
    return List.of(
        setpriv.toString(),
        "--reuid",
        Integer.toString(uid),
        "--regid",
        Integer.toString(gid),
        "--clear-groups",
        "--no-new-privs",
        "--");
  }

  IsolationUnavailableException missing(String what) {
    return new IsolationUnavailableException(mode, what);
  }
}
