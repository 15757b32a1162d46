package io.clawhive.worker.sandbox;

import java.net.Inet4Address;
import java.util.Locale;

/**
 * The network of one instance: its own namespace joined to the host by a veth pair on a private
 * /31. The names derive from the host-side address, so that leftovers can be recognised (and
 * removed) after a restart without any other record.
 *
 * @param slot the instance's slot in the {@link AddressPool}
 * @param hostAddress the host's end of the veth pair (the namespace's default gateway)
 * @param namespaceAddress the address inside the namespace the gateway listens on
 */
record InstanceNetwork(int slot, Inet4Address hostAddress, Inet4Address namespaceAddress) {

  /** Host-side veth names are {@value}+8 hex digits (11 of the 15 characters allowed). */
  static final String VETH_PREFIX = "chv";

  /** Namespace names are {@value}+8 hex digits (/run/netns/NAME). */
  static final String NAMESPACE_PREFIX = "clawhive-";

  /** The namespace's end of the veth pair, renamed inside it. */
  static final String INNER_VETH = "eth0";

  static final int PREFIX_LENGTH = 31;

  String hex() {
    return String.format(Locale.ROOT, "%08x", AddressPool.toInt(hostAddress));
  }

  String namespace() {
    return NAMESPACE_PREFIX + hex();
  }

  String hostVeth() {
    return VETH_PREFIX + hex();
  }

  /** Parses the hex part of a namespace or veth name back to a host-side address, or -1. */
  static long hostAddressOf(String name) {
    String hex;
    if (name.startsWith(NAMESPACE_PREFIX)) {
      hex = name.substring(NAMESPACE_PREFIX.length());
    } else if (name.startsWith(VETH_PREFIX)) {
      hex = name.substring(VETH_PREFIX.length());
    } else {
      return -1;
    }
    return hex.matches("[0-9a-f]{8}") ? Long.parseLong(hex, 16) : -1;
  }
}
