package io.clawhive.worker.sandbox;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Tenant isolation settings (the worker's {@code isolation:} block). Every field has a default;
 * {@link #mode} {@code auto} means {@code sandbox} when the node runs as root, else {@code none}.
 */
public class IsolationConfig {

  public static final String AUTO = "auto";
  public static final String DEFAULT_MODE = AUTO;
  public static final String DEFAULT_BWRAP = "bwrap";
  public static final String DEFAULT_SETPRIV = "setpriv";
  public static final String DEFAULT_IPTABLES = "iptables";
  public static final String DEFAULT_IP6TABLES = "ip6tables";
  public static final String DEFAULT_CHAIN = "CLAWHIVE-EGRESS";
  public static final int DEFAULT_GATEWAY_PORT_SPAN = 1;
  public static final int MAX_GATEWAY_PORT_SPAN = 200;
  public static final String DEFAULT_IP = "ip";
  public static final String DEFAULT_NETWORK_POOL = AddressPool.DEFAULT;

  /** Where the worker's model proxy listens for the namespaces (on the pool's worker address). */
  public static final int DEFAULT_MODEL_PROXY_PORT = 18780;

  /** How often the namespaces, rules and name servers are checked and repaired. */
  public static final Duration DEFAULT_REPAIR_INTERVAL = Duration.seconds(30);

  /**
   * What of the host's /etc a sandbox sees (read-only; missing entries are skipped): name
   * resolution, TLS roots, time zone, the dynamic linker cache and the alternatives symlinks that
   * /usr/bin entries point to. passwd and group are replaced by per-instance files that list only
   * root, nobody and the tenant.
   */
  public static final List<String> DEFAULT_ETC =
      List.of(
          "/etc/alternatives",
          "/etc/ca-certificates",
          "/etc/ca-certificates.conf",
          "/etc/gai.conf",
          "/etc/host.conf",
          "/etc/hosts",
          "/etc/ld.so.cache",
          "/etc/ld.so.conf",
          "/etc/ld.so.conf.d",
          "/etc/localtime",
          "/etc/mime.types",
          "/etc/nsswitch.conf",
          "/etc/os-release",
          "/etc/protocols",
          "/etc/resolv.conf",
          "/etc/services",
          "/etc/ssl",
          "/etc/timezone");

  @NotNull
  @Pattern(regexp = "(?i)auto|sandbox|user|none")
  private String mode = DEFAULT_MODE;

  /** Lets mode none run more than one tenant on this host (development only). */
  private boolean allowSharedNone = false;

  /**
   * Loads {@link SeccompFilter} into every sandbox (mode sandbox); off only to measure or debug.
   */
  private boolean seccomp = true;

  @NotNull private String bwrap = DEFAULT_BWRAP;
  @NotNull private String setpriv = DEFAULT_SETPRIV;
  @NotNull private String iptables = DEFAULT_IPTABLES;
  @NotNull private String ip6tables = DEFAULT_IP6TABLES;
  @NotNull private String ip = DEFAULT_IP;

  /**
   * The private IPv4 range the per-instance network namespaces (modes sandbox and user) are
   * numbered from: one /31 per instance, the first /31 for the worker. Refused at start when it
   * overlaps an address or route of the host.
   */
  @NotNull private String networkPool = DEFAULT_NETWORK_POOL;

  /** TCP port of the model proxy on the worker address, the one host port namespaces may reach. */
  @Min(1)
  @Max(65_535)
  private int modelProxyPort = DEFAULT_MODEL_PROXY_PORT;

  @NotNull
  @MinDuration(value = 1, unit = TimeUnit.SECONDS)
  private Duration repairInterval = DEFAULT_REPAIR_INTERVAL;

  /** Name of the iptables chain jumped to from OUTPUT; per-tenant chains are NAME-uid. */
  @NotNull
  @Pattern(regexp = "[A-Z][A-Z0-9_-]{0,15}")
  private String chain = DEFAULT_CHAIN;

  /** Loopback ports from the gateway's own port on that the tenant may reach (1 = only it). */
  @Min(1)
  @Max(MAX_GATEWAY_PORT_SPAN)
  private int gatewayPortSpan = DEFAULT_GATEWAY_PORT_SPAN;

  /** Destinations tenants may reach although denied, e.g. a local model server. */
  @NotNull private List<EgressAllowance> allowed = List.of();

  /** Allow DNS (port 53) to the name servers in /etc/resolv.conf even if local or private. */
  private boolean allowSystemResolvers = true;

  /** The parts of /etc bound read-only into a sandbox. */
  @NotNull private List<String> etc = DEFAULT_ETC;

  /** More host paths bound read-only into every sandbox (e.g. a JDK a custom runtime needs). */
  @NotNull private List<String> extraReadOnlyPaths = List.of();

  /** The mode to run: the configured one, or for {@code auto} sandbox as root, else none. */
  public IsolationMode effectiveMode(boolean runningAsRoot) {
    if (AUTO.equalsIgnoreCase(mode)) {
      return runningAsRoot ? IsolationMode.SANDBOX : IsolationMode.NONE;
    }
    return IsolationMode.parse(mode);
  }

  @JsonProperty
  public String getMode() {
    return mode;
  }

  @JsonProperty
  public void setMode(String mode) {
    if (mode != null && !AUTO.equalsIgnoreCase(mode.trim())) {
      IsolationMode.parse(mode); // rejects a typo where it is set
    }
    this.mode = mode == null ? null : mode.trim().toLowerCase(java.util.Locale.ROOT);
  }

  @JsonProperty
  public boolean isAllowSharedNone() {
    return allowSharedNone;
  }

  @JsonProperty
  public void setAllowSharedNone(boolean allowSharedNone) {
    this.allowSharedNone = allowSharedNone;
  }

  @JsonProperty
  public boolean isSeccomp() {
    return seccomp;
  }

  @JsonProperty
  public void setSeccomp(boolean seccomp) {
    this.seccomp = seccomp;
  }

  @JsonProperty
  public String getBwrap() {
    return bwrap;
  }

  @JsonProperty
  public void setBwrap(String bwrap) {
    this.bwrap = bwrap;
  }

  @JsonProperty
  public String getSetpriv() {
    return setpriv;
  }

  @JsonProperty
  public void setSetpriv(String setpriv) {
    this.setpriv = setpriv;
  }

  @JsonProperty
  public String getIptables() {
    return iptables;
  }

  @JsonProperty
  public void setIptables(String iptables) {
    this.iptables = iptables;
  }

  @JsonProperty
  public String getIp6tables() {
    return ip6tables;
  }

  @JsonProperty
  public void setIp6tables(String ip6tables) {
    this.ip6tables = ip6tables;
  }

  @JsonProperty
  public String getIp() {
    return ip;
  }

  @JsonProperty
  public void setIp(String ip) {
    this.ip = ip;
  }

  @JsonProperty
  public String getNetworkPool() {
    return networkPool;
  }

  /** Parsed at once, so a bad range fails at config load naming it. */
  @JsonProperty
  public void setNetworkPool(String networkPool) {
    this.networkPool = AddressPool.parse(networkPool).toString();
  }

  AddressPool addressPool() {
    return AddressPool.parse(networkPool);
  }

  @JsonProperty
  public int getModelProxyPort() {
    return modelProxyPort;
  }

  @JsonProperty
  public void setModelProxyPort(int modelProxyPort) {
    this.modelProxyPort = modelProxyPort;
  }

  @JsonProperty
  public Duration getRepairInterval() {
    return repairInterval;
  }

  @JsonProperty
  public void setRepairInterval(Duration repairInterval) {
    this.repairInterval = repairInterval;
  }

  @JsonProperty
  public String getChain() {
    return chain;
  }

  @JsonProperty
  public void setChain(String chain) {
    this.chain = chain;
  }

  @JsonProperty
  public int getGatewayPortSpan() {
    return gatewayPortSpan;
  }

  @JsonProperty
  public void setGatewayPortSpan(int gatewayPortSpan) {
    this.gatewayPortSpan = gatewayPortSpan;
  }

  @JsonProperty
  public List<String> getAllowed() {
    return allowed.stream().map(EgressAllowance::toString).toList();
  }

  /**
   * A YAML list, or one string of comma-separated entries (from {@code CLAWHIVE_EGRESS_ALLOW}).
   * Parses each entry at once, so a bad one fails at config load naming the entry.
   */
  @JsonProperty
  public void setAllowed(JsonNode node) {
    List<String> entries = new ArrayList<>();
    if (node != null && !node.isNull()) {
      if (node.isArray()) {
        node.forEach(n -> entries.add(n.asText()));
      } else {
        entries.addAll(List.of(node.asText().split(",")));
      }
    }
    allow(entries);
  }

  /** Replaces the allowances (programmatic use); each entry is parsed at once. */
  public void allow(List<String> entries) {
    this.allowed =
        entries == null
            ? List.of()
            : entries.stream()
                .map(String::trim)
                .filter(e -> !e.isEmpty())
                .map(EgressAllowance::parse)
                .toList();
  }

  /** Adds allowances the worker derives itself (e.g. a local model server); duplicates skipped. */
  public void addAllowances(List<EgressAllowance> more) {
    List<EgressAllowance> all = new ArrayList<>(allowed);
    more.stream().filter(a -> !all.contains(a)).forEach(all::add);
    this.allowed = List.copyOf(all);
  }

  public List<EgressAllowance> allowances() {
    return allowed;
  }

  @JsonProperty
  public boolean isAllowSystemResolvers() {
    return allowSystemResolvers;
  }

  @JsonProperty
  public void setAllowSystemResolvers(boolean allowSystemResolvers) {
    this.allowSystemResolvers = allowSystemResolvers;
  }

  @JsonProperty
  public List<String> getEtc() {
    return etc;
  }

  @JsonProperty
  public void setEtc(List<String> etc) {
    this.etc = absolutePaths("etc", etc);
  }

  @JsonProperty
  public List<String> getExtraReadOnlyPaths() {
    return extraReadOnlyPaths;
  }

  @JsonProperty
  public void setExtraReadOnlyPaths(List<String> extraReadOnlyPaths) {
    this.extraReadOnlyPaths = absolutePaths("extraReadOnlyPaths", extraReadOnlyPaths);
  }

  private static List<String> absolutePaths(String field, List<String> paths) {
    for (String path : Objects.requireNonNullElse(paths, List.<String>of())) {
      if (path == null || !path.startsWith("/") || path.contains("..")) {
        throw new IllegalArgumentException(field + " entries must be absolute paths: " + path);
      }
    }
    return List.copyOf(Objects.requireNonNullElse(paths, List.of()));
  }

  @Override
  public String toString() {
    return "mode="
        + mode
        + ", allowSharedNone="
        + allowSharedNone
        + ", seccomp="
        + seccomp
        + ", chain="
        + chain
        + ", gatewayPortSpan="
        + gatewayPortSpan
        + ", allowed="
        + getAllowed()
        + ", allowSystemResolvers="
        + allowSystemResolvers
        + ", networkPool="
        + networkPool
        + ", modelProxyPort="
        + modelProxyPort
        + ", repairInterval="
        + repairInterval;
  }
}
