package io.clawhive.worker.sandbox;

import java.util.List;

/** The two address families the egress policy covers, with what each denies. */
enum IpFamily {
  V4(
      "127.0.0.0/8",
      List.of(
          "0.0.0.0/8",
          "127.0.0.0/8",
          "169.254.0.0/16",
          "10.0.0.0/8",
          "172.16.0.0/12",
          "192.168.0.0/16",
          "100.64.0.0/10",
          "224.0.0.0/4",
          "255.255.255.255/32")),
  V6(
      "::1/128",
      List.of(
          "::/128", "::1/128", "fe80::/10", "fec0::/10", "fc00::/7", "ff00::/8", "::ffff:0:0/96"));

  /** Where the tenant's own gateway listens (gateways bind loopback only). */
  final String loopback;

  /**
   * Destinations denied to tenants unless allowed: "this host" (0/8, ::), loopback, link-local
   * (cloud metadata 169.254.169.254, fe80::/10), private ranges (RFC 1918, CGNAT 100.64/10, ULA
   * fc00::/7, old site-local), multicast and broadcast, and IPv4-mapped IPv6. Every address of this
   * host itself is denied too, by an {@code addrtype LOCAL} rule.
   */
  final List<String> denied;

  IpFamily(String loopback, List<String> denied) {
    this.loopback = loopback;
    this.denied = denied;
  }
}
