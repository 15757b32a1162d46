package io.clawhive.worker.sandbox;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * The egress allowances a configured endpoint of the worker needs (the model provider, the ClawHub
 * registry): when its URL names a loopback, private, link-local or CGNAT IP literal (or {@code
 * localhost}), the gateways must reach that address and port although the policy denies such
 * destinations. Host names give none: they are resolved by the tenant through DNS, and public
 * addresses are allowed anyway.
 */
public final class EndpointAllowances {

  static final int HTTP_PORT = 80;
  static final int HTTPS_PORT = 443;
  private static final String LOCALHOST = "localhost";

  private EndpointAllowances() {}

  /** The allowances for {@code url}; empty for blank, unparsable or public/host-name URLs. */
  public static List<EgressAllowance> of(String url) {
    if (url == null || url.isBlank()) {
      return List.of();
    }
    URI uri;
    try {
      uri = URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      return List.of();
    }
    String host = uri.getHost();
    if (host == null) {
      return List.of();
    }
    int port = uri.getPort() > 0 ? uri.getPort() : defaultPort(uri.getScheme());
    if (port < 0) {
      return List.of();
    }
    if (host.toLowerCase(Locale.ROOT).equals(LOCALHOST)) {
      return List.of(
          EgressAllowance.parse("127.0.0.1:" + port), EgressAllowance.parse("[::1]:" + port));
    }
    boolean literal = host.startsWith("[") || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    if (!literal) {
      return List.of();
    }
    EgressAllowance allowance = EgressAllowance.parse(host + ":" + port);
    return denied(allowance.address()) ? List.of(allowance) : List.of();
  }

  /**
   * The worker's model proxy at {@code host:port} (issue #8): the one model endpoint tenants may
   * reach; the upstream model endpoint itself gets no allowance. Empty for port 0 (not bound).
   */
  public static List<EgressAllowance> modelProxy(String host, int port) {
    return port > 0 ? List.of(EgressAllowance.parse(host + ":" + port)) : List.of();
  }

  /** Destinations the egress policy denies unless allowed. */
  static boolean denied(InetAddress address) {
    if (address.isLoopbackAddress()
        || address.isSiteLocalAddress()
        || address.isLinkLocalAddress()
        || address.isAnyLocalAddress()) {
      return true;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xff;
      return (first == 100 && (b[1] & 0xc0) == 64) // CGNAT 100.64.0.0/10
          || (first == 192 && b[1] == 0 && b[2] == 0) // 192.0.0.0/24
          || (first == 198 && (b[1] & 0xfe) == 18) // benchmarking 198.18.0.0/15
          || (first == 168 && (b[1] & 0xff) == 63 && (b[2] & 0xff) == 129 && b[3] == 16)
          || first >= 224; // multicast, reserved
    }
    if (!(address instanceof Inet6Address)) {
      return false;
    }
    boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
    boolean sixToFour = b[0] == 0x20 && b[1] == 0x02;
    return (b[0] & 0xfe) == 0xfc || nat64 || sixToFour; // ULA fc00::/7, NAT64, 6to4
  }

  private static int defaultPort(String scheme) {
    if ("https".equalsIgnoreCase(scheme)) {
      return HTTPS_PORT;
    }
    if ("http".equalsIgnoreCase(scheme)) {
      return HTTP_PORT;
    }
    return -1;
  }
}
