package io.clawhive.worker.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Start-up checks that the host can provide an isolation mode. Each failure is an {@link
 * IsolationUnavailableException} whose one-line message names what is missing.
 */
final class HostCheck {

  static final int NOBODY = 65534;
  private static final Path IPV6_ADDRESSES = Path.of("/proc/net/if_inet6");

  private final IsolationConfig config;
  private final IsolationMode mode;

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

  /** bwrap exists and really creates its namespaces as an unprivileged user (nobody). */
  Path bwrap(Path setpriv) {
    Path bwrap = tool(config.getBwrap(), "bwrap", "bubblewrap");
    List<String> probe = new ArrayList<>(dropTo(setpriv, NOBODY, NOBODY));
    probe.add(bwrap.toString());
    probe.addAll(List.of("--ro-bind", "/usr", "/usr"));
    for (String name : BubblewrapCommand.ROOT_LINKS) {
      Path path = Path.of(name);
      if (Files.isSymbolicLink(path)) {
        try {
          probe.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), name));
        } catch (java.io.IOException e) {
          throw missing("cannot read symlink " + name);
        }
      }
    }
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
    HostTool.Result result = HostTool.run(probe);
    if (!result.ok()) {
      throw missing(
          bwrap + " cannot create namespaces as an unprivileged user: " + result.firstLine());
    }
    return bwrap;
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
