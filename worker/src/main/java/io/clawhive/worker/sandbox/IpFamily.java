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
          "192.0.0.0/24",
          "198.18.0.0/15",
          "168.63.129.16/32",
          "224.0.0.0/4",
          "240.0.0.0/4")),
  V6(
      "::1/128",
      List.of(
          "::/128",
          "::1/128",
          "fe80::/10",
          "fec0::/10",
          "fc00::/7",
          "ff00::/8",
          "::ffff:0:0/96",
          "64:ff9b::/96",
          "64:ff9b:1::/48",
          "2002::/16"));

  /** Where the tenant's own gateway listens (gateways bind loopback only). */
  final String loopback;

  /**
   * Destinations denied to tenants unless allowed: "this host" (0/8, ::), loopback, link-local
   * (cloud metadata 169.254.169.254, fe80::/10), private ranges (RFC 1918, CGNAT 100.64/10, ULA
   * fc00::/7, old site-local), IETF protocol assignments (192.0.0.0/24), the benchmarking range
   * 198.18.0.0/15 (used by some clouds and proxies internally), Azure's wire server 168.63.129.16
   * (a metadata service outside link-local), multicast, reserved 240.0.0.0/4 (with broadcast), and
   * the IPv6 ways back into IPv4 space: IPv4-mapped ::ffff:0:0/96, NAT64 64:ff9b::/96 and
   * 64:ff9b:1::/48, and 6to4 2002::/16 (which embeds any IPv4 address, private ones included).
   * Every address of this host itself is denied too, by an {@code addrtype LOCAL} rule.
   */
  final List<String> denied;

  IpFamily(String loopback, List<String> denied) {
    this.loopback = loopback;
    this.denied = denied;
  }
}
