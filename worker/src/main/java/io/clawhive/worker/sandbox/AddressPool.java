package io.clawhive.worker.sandbox;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The private IPv4 range the per-instance network namespaces are numbered from. The first /31 is
 * the worker's own: its second address is put on the host's {@code lo} and is where every namespace
 * reaches the worker (the model proxy). Instance slot {@code s} gets the /31 at {@code base + 2(s +
 * 1)}: the even address on the host's end of its veth pair, the odd one inside its namespace.
 */
final class AddressPool {

  /**
   * 10.231.0.0/16: private (RFC 1918), rarely used by cloud VPCs or Docker; 32,767 instances. The
   * worker refuses to start when it overlaps a route or address of the host.
   */
  static final String DEFAULT = "10.231.0.0/16";

  static final int MIN_PREFIX = 8;
  static final int MAX_PREFIX = 29;
  private static final Pattern CIDR = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})/(\\d{1,2})");

  private final int base;
  private final int prefix;

  private AddressPool(int base, int prefix) {
    this.base = base;
    this.prefix = prefix;
  }

  /** Parses {@code A.B.C.D/P}; throws naming the value when it is not a usable private range. */
  static AddressPool parse(String cidr) {
    Matcher m = CIDR.matcher(cidr == null ? "" : cidr.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "network pool must be an IPv4 range A.B.C.D/P, e.g. " + DEFAULT + ": " + cidr);
    }
    int prefix = Integer.parseInt(m.group(2));
    if (prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
      throw new IllegalArgumentException(
          "network pool prefix must be /" + MIN_PREFIX + "../" + MAX_PREFIX + ": " + cidr);
    }
    int address = toInt(m.group(1), cidr);
    if ((address & ~mask(prefix)) != 0) {
      throw new IllegalArgumentException(
          "network pool "
              + cidr
              + " has host bits set (did you mean "
              + text(address & mask(prefix))
              + "/"
              + prefix
              + "?)");
    }
    AddressPool pool = new AddressPool(address, prefix);
    if (!pool.isPrivate()) {
      throw new IllegalArgumentException(
          "network pool must lie inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16: " + cidr);
    }
    return pool;
  }

  /** How many instances the pool numbers (its first /31 is the worker's). */
  int capacity() {
    long size = 1L << (32 - prefix);
    return (int) (size / 2 - 1);
  }

  /** The worker's address every namespace reaches it on (put on the host's lo). */
  Inet4Address workerAddress() {
    return address(base + 1);
  }

  /** The addresses of one instance slot (0-based). */
  InstanceNetwork slot(int slot) {
    if (slot < 0 || slot >= capacity()) {
      throw new IllegalArgumentException(
          "instance slot "
              + slot
              + " is outside the network pool "
              + this
              + " (0.."
              + (capacity() - 1)
              + ")");
    }
    int host = base + 2 * (slot + 1);
    return new InstanceNetwork(slot, address(host), address(host + 1));
  }

  /**
   * Interface-name wildcards ({@code iptables -i NAME+}) that match exactly the host-side veths of
   * this pool's slots: their names are {@value InstanceNetwork#VETH_PREFIX} and the host address in
   * 8 hex digits, so the pool's fixed leading bits are a name prefix (one wildcard per value of a
   * partly fixed hex digit, at most 8). Another worker's veths on the same host (another pool)
   * never match.
   */
  List<String> vethWildcards() {
    String hex = String.format(java.util.Locale.ROOT, "%08x", base);
    int fixed = prefix / 4;
    int partBits = prefix % 4;
    String head = InstanceNetwork.VETH_PREFIX + hex.substring(0, fixed);
    if (partBits == 0) {
      return List.of(head + "+");
    }
    int digit = Character.digit(hex.charAt(fixed), 16);
    List<String> wildcards = new java.util.ArrayList<>();
    for (int i = 0; i < 1 << (4 - partBits); i++) {
      wildcards.add(head + Character.forDigit(digit + i, 16) + "+");
    }
    return List.copyOf(wildcards);
  }

  /** The slot whose host-side address is {@code hostAddress}, or -1 when it is none of ours. */
  int slotOfHostAddress(int hostAddress) {
    if (!contains(hostAddress) || (hostAddress & 1) != 0 || hostAddress - base < 2) {
      return -1;
    }
    return (hostAddress - base) / 2 - 1;
  }

  boolean contains(int address) {
    return (address & mask(prefix)) == base;
  }

  /** Whether {@code other/otherPrefix} and this pool share any address. */
  boolean overlaps(int other, int otherPrefix) {
    int shorter = Math.min(prefix, otherPrefix);
    return (other & mask(shorter)) == (base & mask(shorter));
  }

  private boolean isPrivate() {
    return within(10 << 24, 8)
        || within((172 << 24) | (16 << 16), 12)
        || within((192 << 24) | (168 << 16), 16);
  }

  private boolean within(int net, int netPrefix) {
    return prefix >= netPrefix && (base & mask(netPrefix)) == net;
  }

  static int mask(int prefix) {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  static int toInt(InetAddress address) {
    byte[] b = address.getAddress();
    return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }

  static int toInt(String dotted, String context) {
    String[] parts = dotted.split("\\.");
    int value = 0;
    for (String part : parts) {
      int octet = Integer.parseInt(part);
      if (octet > 255) {
        throw new IllegalArgumentException("octet above 255 in " + context);
      }
      value = (value << 8) | octet;
    }
    return value;
  }

  static String text(int address) {
    return ((address >>> 24) & 0xff)
        + "."
        + ((address >>> 16) & 0xff)
        + "."
        + ((address >>> 8) & 0xff)
        + "."
        + (address & 0xff);
  }

  static Inet4Address address(int value) {
    byte[] b = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    try {
      return (Inet4Address) InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return text(base) + "/" + prefix;
  }
}
