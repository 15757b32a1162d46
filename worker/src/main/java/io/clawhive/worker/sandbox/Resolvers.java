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
  private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");

  private Resolvers() {}

  static List<InetAddress> fromResolvConf() {
    try {
      return parse(Files.readAllLines(RESOLV_CONF));
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
