package io.clawhive.worker.sandbox;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and removes the network namespaces of instances with iproute2 ({@code ip}), as root.
 * Every operation is idempotent: {@link #ensure} leaves a complete namespace alone and rebuilds an
 * incomplete one from scratch, {@link #remove} ignores what is already gone.
 *
 * <p>Inside a namespace there is only {@code lo} and {@code eth0} (the veth peer) with the odd
 * address of the /31, a default route via the host's end, and no IPv6 at all ({@code disable_ipv6},
 * set before the veth appears, so not even a link-local address exists): the policy only has to
 * cover IPv4. {@code ip netns exec} bind-mounts {@code /etc/netns/NAME/resolv.conf} over {@code
 * /etc/resolv.conf}, which is how the namespace gets name servers it can reach.
 */
final class NetworkNamespaces {

  private static final Logger LOG = LoggerFactory.getLogger(NetworkNamespaces.class);
  static final Path RUN_NETNS = Path.of("/run/netns");
  static final Path ETC_NETNS = Path.of("/etc/netns");
  private static final Path PROC_IPV6_CONF = Path.of("/proc/sys/net/ipv6/conf");
  private static final String DISABLE_IPV6 =
      "if [ -d /proc/sys/net/ipv6 ]; then echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6"
          + " && echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; fi";

  private final Path ip;

  NetworkNamespaces(Path ip) {
    this.ip = ip;
  }

  /** The prefix that runs a command inside the namespace (as root; drop privileges after it). */
  List<String> enter(InstanceNetwork net) {
    return List.of(ip.toString(), "netns", "exec", net.namespace());
  }

  /**
   * Makes the namespace complete; returns true when it had to be (re)built.
   *
   * @param nameservers what the namespace's resolv.conf lists (rewritten when it differs)
   */
  synchronized boolean ensure(InstanceNetwork net, List<InetAddress> nameservers) {
    boolean built = false;
    if (!complete(net)) {
      remove(net);
      try {
        build(net);
      } catch (RuntimeException e) {
        remove(net);
        throw e;
      }
      built = true;
    }
    writeResolvConf(net, nameservers);
    return built;
  }

  /** Whether the namespace, both ends of the veth pair, their addresses and the route exist. */
  boolean complete(InstanceNetwork net) {
    if (!Files.exists(RUN_NETNS.resolve(net.namespace()))) {
      return false;
    }
    String host = run(List.of("-o", "-4", "addr", "show", "dev", net.hostVeth())).output();
    String inner =
        run(List.of(
                "-n",
                net.namespace(),
                "-o",
                "-4",
                "addr",
                "show",
                "dev",
                InstanceNetwork.INNER_VETH))
            .output();
    String route = run(List.of("-n", net.namespace(), "-4", "route", "show", "default")).output();
    String v6 = run(List.of("-n", net.namespace(), "-o", "-6", "addr", "show")).output();
    return host.contains("inet " + net.hostAddress().getHostAddress() + "/31")
        && inner.contains("inet " + net.namespaceAddress().getHostAddress() + "/31")
        && route.contains("via " + net.hostAddress().getHostAddress())
        && v6.isBlank();
  }

  private void build(InstanceNetwork net) {
    String ns = net.namespace();
    String veth = net.hostVeth();
    require(List.of("netns", "add", ns), "create namespace " + ns);
    requireIn(net, List.of("/bin/sh", "-c", DISABLE_IPV6), "disable IPv6 in " + ns);
    require(
        List.of(
            "link",
            "add",
            veth,
            "type",
            "veth",
            "peer",
            "name",
            InstanceNetwork.INNER_VETH,
            "netns",
            ns),
        "create veth pair " + veth);
    disableHostIpv6(veth);
    require(
        List.of("addr", "add", net.hostAddress().getHostAddress() + "/31", "dev", veth),
        "address " + veth);
    require(List.of("link", "set", veth, "up"), "bring up " + veth);
    require(
        List.of(
            "-n",
            ns,
            "addr",
            "add",
            net.namespaceAddress().getHostAddress() + "/31",
            "dev",
            InstanceNetwork.INNER_VETH),
        "address eth0 in " + ns);
    require(List.of("-n", ns, "link", "set", InstanceNetwork.INNER_VETH, "up"), "bring up eth0");
    require(List.of("-n", ns, "link", "set", "lo", "up"), "bring up lo in " + ns);
    require(
        List.of("-n", ns, "route", "add", "default", "via", net.hostAddress().getHostAddress()),
        "default route in " + ns);
    LOG.info(
        "network namespace {} ready: {} (host {}) <-> eth0 {}",
        ns,
        veth,
        net.hostAddress().getHostAddress(),
        net.namespaceAddress().getHostAddress());
  }

  /** Removes the namespace (its eth0 and so the veth pair go with it) and its /etc/netns files. */
  synchronized void remove(InstanceNetwork net) {
    removeByName(net.namespace());
    if (run(List.of("link", "show", net.hostVeth())).ok()) {
      run(List.of("link", "del", net.hostVeth()));
    }
  }

  private void removeByName(String namespace) {
    if (Files.exists(RUN_NETNS.resolve(namespace))) {
      HostTool.Result deleted = run(List.of("netns", "del", namespace));
      if (!deleted.ok()) {
        throw new IllegalStateException(
            "cannot delete network namespace " + namespace + ": " + deleted.firstLine());
      }
    }
    deleteTree(ETC_NETNS.resolve(namespace));
  }

  /** Host-side addresses (as unsigned ints) named by our namespaces and veths on this host. */
  List<Long> present() {
    List<Long> found = new ArrayList<>();
    if (Files.isDirectory(RUN_NETNS)) {
      try (Stream<Path> names = Files.list(RUN_NETNS)) {
        names
            .map(p -> InstanceNetwork.hostAddressOf(p.getFileName().toString()))
            .filter(a -> a >= 0)
            .forEach(found::add);
      } catch (IOException e) {
        LOG.warn("cannot list {}: {}", RUN_NETNS, e.toString());
      }
    }
    for (String line : run(List.of("-o", "link", "show")).output().lines().toList()) {
      String[] f = line.split(":\\s+", 3);
      if (f.length >= 2) {
        String name = f[1].replaceAll("@.*$", "");
        long address = InstanceNetwork.hostAddressOf(name);
        if (address >= 0 && name.startsWith(InstanceNetwork.VETH_PREFIX)) {
          found.add(address);
        }
      }
    }
    return found.stream().distinct().toList();
  }

  /** Puts the worker's address on the host's lo (a /32; idempotent). */
  void ensureWorkerAddress(Inet4Address address) {
    String cidr = address.getHostAddress() + "/32";
    if (!run(List.of("-o", "-4", "addr", "show", "dev", "lo")).output().contains("inet " + cidr)) {
      require(List.of("addr", "add", cidr, "dev", "lo"), "add " + cidr + " to lo");
    }
  }

  void removeWorkerAddress(Inet4Address address) {
    String cidr = address.getHostAddress() + "/32";
    if (run(List.of("-o", "-4", "addr", "show", "dev", "lo")).output().contains("inet " + cidr)) {
      run(List.of("addr", "del", cidr, "dev", "lo"));
    }
  }

  /** {@code ip -4 -o addr} and {@code ip -4 route show table all} lines, for the overlap check. */
  List<String> hostAddressesAndRoutes() {
    List<String> lines = new ArrayList<>();
    lines.addAll(run(List.of("-o", "-4", "addr", "show")).output().lines().toList());
    lines.addAll(run(List.of("-4", "route", "show", "table", "all")).output().lines().toList());
    return lines;
  }

  private void writeResolvConf(InstanceNetwork net, List<InetAddress> nameservers) {
    StringBuilder text =
        new StringBuilder("# written by clawhive for ").append(net.namespace()).append('\n');
    if (nameservers.isEmpty()) {
      text.append("# no name server reachable from this namespace: DNS is unavailable\n");
    }
    for (InetAddress server : nameservers) {
      text.append("nameserver ").append(server.getHostAddress()).append('\n');
    }
    Path dir = ETC_NETNS.resolve(net.namespace());
    Path file = dir.resolve("resolv.conf");
    try {
      Files.createDirectories(dir);
      if (Files.exists(file) && Files.readString(file).contentEquals(text)) {
        return;
      }
      Path temp = dir.resolve("resolv.conf.tmp");
      Files.writeString(temp, text);
      Files.move(
          temp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static void disableHostIpv6(String veth) {
    Path knob = PROC_IPV6_CONF.resolve(veth).resolve("disable_ipv6");
    if (Files.exists(knob)) {
      try {
        Files.writeString(knob, "1");
      } catch (IOException e) {
        throw new IllegalStateException("cannot disable IPv6 on " + veth + ": " + e.getMessage());
      }
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file); // only files we wrote; a symlink is removed, never followed
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      LOG.warn("cannot remove {}: {}", dir, e.toString());
    }
  }

  private void requireIn(InstanceNetwork net, List<String> command, String what) {
    List<String> args = new ArrayList<>(enter(net));
    args.addAll(command);
    HostTool.Result result = HostTool.run(args);
    if (!result.ok()) {
      throw new IllegalStateException("cannot " + what + ": " + result.firstLine());
    }
  }

  private void require(List<String> args, String what) {
    HostTool.Result result = run(args);
    if (!result.ok()) {
      throw new IllegalStateException("ip cannot " + what + ": " + result.firstLine());
    }
  }

  private HostTool.Result run(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(ip.toString());
    command.addAll(args);
    return HostTool.run(command);
  }
}
