package io.clawhive.worker.sandbox;

import com.codahale.metrics.health.HealthCheck;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.process.LaunchSpec;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tenant isolation of one worker: checked against the host once at start ({@link #forMode}), then
 * applied to every gateway launch and runtime command, with the egress policy kept per tenant.
 *
 * <p>Use: {@code Isolation.forMode(config, capacity)} at worker start (throws {@link
 * IsolationUnavailableException} with one line when the host cannot do it), {@link
 * #onInstanceCreated} after the instance's user exists and its port is known (also at boot for
 * every existing instance), {@link #apply} on each {@link LaunchSpec}, {@link #commandWrapper} for
 * {@code clawhub}/{@code openclaw} commands run for an instance, {@link #onInstanceDeleted} before
 * the user is deleted, and {@link #healthCheck()} registered with the environment.
 */
public final class Isolation {

  private static final Logger LOG = LoggerFactory.getLogger(Isolation.class);

  private final IsolationMode mode;
  private final boolean singleTenant;
  private final Optional<EgressPolicy> egress;
  private final Optional<BubblewrapCommand> bubblewrap;
  private final Optional<Path> setpriv;
  private Optional<SeccompFilter> seccomp = Optional.empty();
  private final Optional<PrivateNetworks> networks;
  private final IsolationConfig config;

  private Isolation(
      IsolationMode mode,
      boolean singleTenant,
      Optional<EgressPolicy> egress,
      Optional<BubblewrapCommand> bubblewrap,
      Optional<Path> setpriv,
      Optional<PrivateNetworks> networks,
      IsolationConfig config) {
    this.mode = mode;
    this.singleTenant = singleTenant;
    this.config = config;
    this.egress = egress;
    this.bubblewrap = bubblewrap;
    this.setpriv = setpriv;
    this.networks = networks;
  }

  /**
   * Checks that this host can provide the configured mode and installs the base egress rules.
   *
   * <p>Mode none (the default when not root) without {@code allowSharedNone} is single-tenant:
   * {@link #singleTenant()} is true and the fleet and placement give the host's one seat to one
   * tenant only, whatever the capacity.
   *
   * @param tenantsPerHost how many tenants may share this host (the worker's capacity; logged)
   */
  public static Isolation forMode(IsolationConfig config, int tenantsPerHost) {
    return forMode(config, tenantsPerHost, SystemUsers.runningAsRoot());
  }

  static Isolation forMode(IsolationConfig config, int tenantsPerHost, boolean root) {
    IsolationMode mode = config.effectiveMode(root);
    HostCheck check = new HostCheck(config, mode);
    if (mode == IsolationMode.NONE) {
      boolean single = !config.isAllowSharedNone();
      LOG.warn(
          "!!! ISOLATION MODE NONE: gateways run as the worker's own user, with no sandbox and no"
              + " egress policy; any tenant can read the worker's files and reach every loopback"
              + " service. !!!");
      if (single) {
        LOG.warn(
            "single-tenant mode: this node serves exactly one person (the first user who writes,"
                + " or the first of TELEGRAM_ALLOWED_USER_IDS); everyone else gets a one-person"
                + " reply. To serve more people run as root (isolation sandbox), or set"
                + " CLAWHIVE_ISOLATION_ALLOW_SHARED_NONE=true for a trusted group.");
      } else {
        LOG.warn(
            "shared mode none: up to {} tenants share this host as one user (allowSharedNone);"
                + " only for a group that trusts each other",
            tenantsPerHost);
      }
      return new Isolation(
          mode,
          single,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          config);
    }
    check.requireRoot(root);
    Path setpriv = check.setpriv();
    Optional<BubblewrapCommand> bubblewrap = Optional.empty();
    if (mode == IsolationMode.SANDBOX) {
      Path bwrap = check.bwrap(setpriv);
      bubblewrap =
          Optional.of(
              new BubblewrapCommand(bwrap, config.getEtc(), config.getExtraReadOnlyPaths()));
    }
    EgressRules rules =
        new EgressRules(
            config.getChain(),
            config.getGatewayPortSpan(),
            config.allowances(),
            config.isAllowSystemResolvers() ? Resolvers.fromResolvConf() : List.of());
    Map<IpFamily, Path> firewall = check.firewallTools();
    EgressPolicy policy = new EgressPolicy(rules, firewall);
    check.installPolicy(policy);
    PrivateNetworks networks = check.privateNetworks(firewall.get(IpFamily.V4));
    LOG.info(
        "isolation mode {}: own user and network namespace per instance{}, egress policy in"
            + " chain {} ({}), {}",
        mode.configName(),
        mode == IsolationMode.SANDBOX ? ", bubblewrap namespaces" : "",
        config.getChain(),
        String.join("+", policy.families()),
        config);
    Isolation isolation =
        new Isolation(
            mode,
            false,
            Optional.of(policy),
            bubblewrap,
            Optional.of(setpriv),
            Optional.of(networks),
            config);
    if (mode == IsolationMode.SANDBOX) {
      isolation.seccomp = check.seccomp(config.isSeccomp());
    }
    return isolation;
  }

  public IsolationMode mode() {
    return mode;
  }

  /**
   * Mode none without {@code allowSharedNone}: exactly one tenant may ever have a gateway on this
   * host (its seat is decided in storage, see {@code HostSeatDao}).
   */
  public boolean singleTenant() {
    return singleTenant;
  }

  /** Whether each instance must get its own system user (sandbox and user modes). */
  public boolean ownUsers() {
    return mode.ownUser();
  }

  public Optional<EgressPolicy> egressPolicy() {
    return egress;
  }

  /**
   * Installs (or refreshes, e.g. at boot) the instance's network namespace and egress rules; a
   * no-op in mode none. Idempotent.
   *
   * @param slot the instance's number on this worker, which picks its /31 from the network pool
   *     (stable across restarts: {@link io.clawhive.worker.instance.PortAllocator#slotOf})
   */
  public void onInstanceCreated(String instanceId, SystemUser user, int gatewayPort, int slot) {
    egress.ifPresent(p -> p.addTenant(user, gatewayPort));
    networks.ifPresent(n -> n.add(instanceId, slot));
  }

  /** Removes the instance's namespace and the tenant's egress rules; a no-op in mode none. */
  public void onInstanceDeleted(String instanceId, SystemUser user) {
    networks.ifPresent(n -> n.remove(instanceId));
    egress.ifPresent(p -> p.removeTenant(user));
  }

  /**
   * At start, before instances are adopted: removes namespaces and veths of this worker's pool that
   * no instance in {@code slotsInUse} owns (deleted while the worker was down). Returns how many
   * were removed.
   */
  public int removeLeftoverNetworks(Set<Integer> slotsInUse) {
    return networks.map(n -> n.removeLeftovers(slotsInUse)).orElse(0);
  }

  /** Refuses to run more instance slots than the network pool numbers (names the setting). */
  public void requireSlots(int slots) {
    networks.ifPresent(
        n -> {
          if (slots > n.capacity()) {
            throw new IllegalArgumentException(
                "isolation.networkPool numbers "
                    + n.capacity()
                    + " instances, but the gateway port range holds "
                    + slots
                    + ": use a larger pool or a smaller port range");
          }
        });
  }

  /** Whether every instance gets its own network namespace (modes sandbox and user). */
  public boolean privateNetworks() {
    return networks.isPresent();
  }

  /**
   * The address the worker reaches {@code instanceId}'s gateway at: its namespace's address in
   * modes sandbox and user (never loopback: see {@link PrivateNetworks} for why only that
   * instance's gateway can listen there), {@value LaunchSpec#LOOPBACK} in mode none.
   *
   * @throws IllegalStateException when the instance has no namespace (not created yet)
   */
  public String gatewayHost(String instanceId) {
    if (networks.isEmpty()) {
      return LaunchSpec.LOOPBACK;
    }
    return network(instanceId).namespaceAddress().getHostAddress();
  }

  /** The host a gateway binds ({@code gateway.customBindHost}); empty = loopback (mode none). */
  public Optional<String> gatewayBindHost(String instanceId) {
    return networks.isEmpty() ? Optional.empty() : Optional.of(gatewayHost(instanceId));
  }

  /**
   * The ONE host-side address every instance's namespace reaches the worker on (a /32 on the host's
   * lo, the pool's second address): the model proxy binds it in addition to loopback. Empty in mode
   * none (gateways share the host's loopback there).
   */
  public Optional<InetAddress> modelProxyListenAddress() {
    return networks.map(PrivateNetworks::workerAddress);
  }

  /** The TCP port namespaces may reach on {@link #modelProxyListenAddress()}. */
  public int modelProxyPort() {
    return networks.map(PrivateNetworks::modelProxyPort).orElse(config.getModelProxyPort());
  }

  /**
   * The host a gateway puts into its model provider's baseUrl to reach the worker's model proxy:
   * {@link #modelProxyListenAddress()} in namespace modes, {@value LaunchSpec#LOOPBACK} otherwise.
   */
  public String modelEndpointHost(String instanceId) {
    return modelProxyListenAddress().map(InetAddress::getHostAddress).orElse(LaunchSpec.LOOPBACK);
  }

  /**
   * One repair pass of the network isolation (name servers re-read, namespaces, chains and jumps
   * put back); returns how many things were repaired. 0 in mode none.
   */
  public int repair() {
    int repaired = networks.map(PrivateNetworks::repair).orElse(0);
    if (egress.isPresent()) {
      if (config.isAllowSystemResolvers()) {
        egress.get().refreshResolvers(Resolvers.fromResolvConf());
      }
      List<String> problems = egress.get().problems();
      if (!problems.isEmpty()) {
        LOG.warn("egress policy damaged ({}): reinstalled", String.join("; ", problems));
        egress.get().repair();
        repaired += problems.size();
      }
    }
    return repaired;
  }

  /** How often {@link EgressRepair} runs {@link #repair()}. */
  public java.time.Duration repairInterval() {
    return config.getRepairInterval().toJavaDuration();
  }

  /** Everything wrong with the installed isolation (empty when all is in place). */
  List<String> problems() {
    List<String> problems = new ArrayList<>();
    egress.ifPresent(p -> problems.addAll(p.problems()));
    networks.ifPresent(n -> problems.addAll(n.problems()));
    return problems;
  }

  /**
   * Removes every namespace, rule and address this isolation installed (taking a node out of
   * service; tests).
   */
  public void uninstall() {
    networks.ifPresent(PrivateNetworks::uninstall);
    egress.ifPresent(EgressPolicy::uninstall);
  }

  /** Test and diagnostic access to the namespace rules ({@code iptables -t TABLE -S CHAIN}). */
  public List<String> namespaceRules(String table, String chainSuffix) {
    return networks
        .map(n -> n.listRules(table, n.rules().forwardChain().replace("-FWD", chainSuffix)))
        .orElse(List.of());
  }

  private InstanceNetwork network(String instanceId) {
    return networks
        .flatMap(n -> n.of(instanceId))
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "instance " + instanceId + " has no network namespace on this worker"));
  }

  /**
   * The spec to launch: in sandbox mode its command runs inside bubblewrap (the launcher still
   * drops to the spec's user first and attaches the cgroup); otherwise unchanged.
   */
  public LaunchSpec apply(LaunchSpec spec, InstanceLayout layout, RuntimeLayout runtime) {
    if (mode.ownUser() && spec.user().isEmpty()) {
      throw new IllegalArgumentException(
          "isolation mode " + mode.configName() + " needs a system user for " + spec.instanceId());
    }
    LaunchSpec launched = spec;
    if (networks.isPresent()) {
      InstanceNetwork net = network(spec.instanceId());
      launched =
          spec.inNetwork(
              net.namespaceAddress().getHostAddress(), networks.get().namespaces().enter(net));
    }
    if (bubblewrap.isEmpty()) {
      return launched;
    }
    SandboxSpec sandbox =
        sandboxSpec(layout, spec.user().get(), runtime, spec.environment(), spec.workingDir());
    return launched.withCommand(bubblewrap.get().wrap(sandbox, spec.command()));
  }

  /**
   * How to run a runtime command (clawhub install, openclaw config validate) for an instance: as
   * its user, inside its sandbox in sandbox mode. The environment is re-set inside the sandbox.
   */
  public CommandWrapper commandWrapper(
      InstanceLayout layout, Optional<SystemUser> user, RuntimeLayout runtime) {
    if (!mode.ownUser()) {
      return CommandWrapper.NONE;
    }
    SystemUser tenant =
        user.orElseThrow(
            () ->
                new IllegalArgumentException(
                    "isolation mode "
                        + mode.configName()
                        + " needs a system user for "
                        + layout.instanceId()));
    List<String> entry =
        networks.map(n -> n.namespaces().enter(network(layout.instanceId()))).orElse(List.of());
    return (command, environment, workingDir) -> {
      List<String> wrapped = new ArrayList<>(entry);
      wrapped.addAll(HostCheck.dropTo(setpriv.orElseThrow(), tenant.uid(), tenant.gid()));
      if (bubblewrap.isPresent()) {
        SandboxSpec sandbox = sandboxSpec(layout, tenant, runtime, environment, workingDir);
        wrapped.addAll(bubblewrap.get().wrap(sandbox, command));
      } else {
        wrapped.addAll(command);
      }
      return List.copyOf(wrapped);
    };
  }

  /** A Dropwizard health check: healthy when every tenant's egress rules are in place. */
  public HealthCheck healthCheck() {
    return new EgressHealthCheck(this);
  }

  private SandboxSpec sandboxSpec(
      InstanceLayout layout,
      SystemUser user,
      RuntimeLayout runtime,
      Map<String, String> env,
      Path workingDir) {
    Path home = Path.of(env.getOrDefault("HOME", layout.stateDir().toString()));
    SandboxIdentityFiles.Written identity = SandboxIdentityFiles.write(layout, user, home, seccomp);
    return new SandboxSpec(
        user,
        env,
        workingDir,
        List.of(layout.stateDir(), layout.configDir(), layout.workspaceDir()),
        List.of(runtime.dir()),
        identity.passwd(),
        identity.group(),
        identity.seccomp());
  }
}
