package io.clawhive.worker.sandbox;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One destination a tenant may reach although the egress policy would deny it: an IP literal or
 * network ({@code ADDRESS[/PREFIX]}), optionally one TCP/UDP port. Written {@code 127.0.0.1:11434},
 * {@code [::1]:8080}, {@code 10.20.0.0/16}, {@code 10.20.0.0/16:443}. Host names are refused: the
 * policy must not depend on DNS.
 */
public record EgressAllowance(InetAddress address, int prefixLength, OptionalInt port) {

  private static final Pattern V6 =
      Pattern.compile("\\[([0-9A-Fa-f:.]+)\\](?:/(\\d{1,3}))?(?::(\\d{1,5}))?");
  private static final Pattern V4 =
      Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?:/(\\d{1,2}))?(?::(\\d{1,5}))?");

  public EgressAllowance {
    int max = ipv6(address) ? 128 : 32;
    if (prefixLength < 0 || prefixLength > max) {
      throw new IllegalArgumentException("prefix length must be 0.." + max + ": " + prefixLength);
    }
    if (port.isPresent() && (port.getAsInt() < 1 || port.getAsInt() > 65_535)) {
      throw new IllegalArgumentException("port must be 1..65535: " + port.getAsInt());
    }
  }

  /** Parses {@code ADDRESS[/PREFIX][:PORT]} (IPv6 in brackets); throws naming the bad entry. */
  public static EgressAllowance parse(String text) {
    String value = text == null ? "" : text.trim();
    Matcher m = V6.matcher(value);
    boolean matched = m.matches();
    if (!matched) {
      m = V4.matcher(value);
      matched = m.matches();
    }
    if (!matched) {
      throw new IllegalArgumentException(
          "egress allowance must be an IP literal ADDRESS[/PREFIX][:PORT] (IPv6 in brackets),"
              + " host names are not allowed: "
              + text);
    }
    if (!ipv6Text(m.group(1)) && !octetsInRange(m.group(1))) {
      throw new IllegalArgumentException("bad egress allowance " + text + ": octet above 255");
    }
    try {
      // only literals reach here, so no DNS lookup happens
      InetAddress address = InetAddress.getByName(m.group(1));
      int prefix = m.group(2) == null ? (ipv6(address) ? 128 : 32) : Integer.parseInt(m.group(2));
      OptionalInt port =
          m.group(3) == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(m.group(3)));
      return new EgressAllowance(address, prefix, port);
    } catch (UnknownHostException | IllegalArgumentException e) {
      throw new IllegalArgumentException("bad egress allowance " + text + ": " + e.getMessage(), e);
    }
  }

  public boolean ipv6() {
    return ipv6(address);
  }

  /** The destination as iptables writes it, e.g. {@code 127.0.0.1/32}. */
  public String destination() {
    return address.getHostAddress() + "/" + prefixLength;
  }

  private static boolean ipv6Text(String literal) {
    return literal.contains(":");
  }

  private static boolean octetsInRange(String literal) {
    for (String octet : literal.split("\\.")) {
      if (Integer.parseInt(octet) > 255) {
        return false;
      }
    }
    return true;
  }

  private static boolean ipv6(InetAddress address) {
    return address instanceof java.net.Inet6Address;
  }

  @Override
  public String toString() {
    String host = ipv6() ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
    int full = ipv6() ? 128 : 32;
    return host
        + (prefixLength == full ? "" : "/" + prefixLength)
        + (port.isPresent() ? ":" + port.getAsInt() : "");
  }
}
