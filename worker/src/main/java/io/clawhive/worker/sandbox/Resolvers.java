package io.clawhive.worker.sandbox;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The name servers of /etc/resolv.conf, which tenants may reach on port 53 when allowed. */
final class Resolvers {

  static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
  static final String SYSTEMD_UPSTREAMS_TEXT = "/run/systemd/resolve/resolv.conf";
  static final Path SYSTEMD_UPSTREAMS = Path.of(SYSTEMD_UPSTREAMS_TEXT);
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  private Resolvers() {}

  static List<InetAddress> fromResolvConf() {
    return read(RESOLV_CONF);
  }

  /**
   * The name servers a network namespace can use: the IPv4 ones of /etc/resolv.conf that are not
   * loopback (a loopback resolver such as systemd-resolved's 127.0.0.53 is the host's own and
   * unreachable from a namespace); when none is left, the upstreams systemd-resolved lists in
   * {@value #SYSTEMD_UPSTREAMS_TEXT}. Empty when there are none: the namespace then gets a
   * resolv.conf without name servers (DNS fails at once, nothing hangs).
   */
  static List<InetAddress> forNamespaces() {
    List<InetAddress> servers = usable(read(RESOLV_CONF));
    return servers.isEmpty() ? usable(read(SYSTEMD_UPSTREAMS)) : servers;
  }

  static List<InetAddress> usable(List<InetAddress> servers) {
    return servers.stream()
        .filter(s -> s instanceof java.net.Inet4Address)
        .filter(s -> !s.isLoopbackAddress() && !s.isAnyLocalAddress())
        .toList();
  }

  private static List<InetAddress> read(Path file) {
    try {
      return parse(Files.readAllLines(file));
    } catch (IOException e) {
      return List.of();
    }
  }

  /** IP literals of {@code nameserver} lines (a zone suffix such as %eth0 is dropped). */
  static List<InetAddress> parse(List<String> lines) {
    List<InetAddress> servers = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 2 && f[0].equals("nameserver")) {
        String literal = f[1].replaceAll("%.*$", "");
        if (LITERAL.matcher(literal).matches()) {
          try {
            servers.add(InetAddress.getByName(literal));
          } catch (UnknownHostException e) {
            // not a literal after all: skipped
          }
        }
      }
    }
    return List.copyOf(servers);
  }
}
