package io.clawhive.worker.sandbox;

import com.codahale.metrics.health.HealthCheck;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.process.LaunchSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  private Isolation(
      IsolationMode mode,
      boolean singleTenant,
      Optional<EgressPolicy> egress,
      Optional<BubblewrapCommand> bubblewrap,
      Optional<Path> setpriv) {
    this.mode = mode;
    this.singleTenant = singleTenant;
    this.egress = egress;
    this.bubblewrap = bubblewrap;
    this.setpriv = setpriv;
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
      return new Isolation(mode, single, Optional.empty(), Optional.empty(), Optional.empty());
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
    EgressPolicy policy = new EgressPolicy(rules, check.firewallTools());
    check.installPolicy(policy);
    LOG.info(
        "isolation mode {}: own user per instance{}, egress policy in chain {} ({}), {}",
        mode.configName(),
        mode == IsolationMode.SANDBOX ? ", bubblewrap namespaces" : "",
        config.getChain(),
        String.join("+", policy.families()),
        config);
    Isolation isolation =
        new Isolation(mode, false, Optional.of(policy), bubblewrap, Optional.of(setpriv));
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

  /** Installs (or refreshes) the tenant's egress rules; a no-op in mode none. */
  public void onInstanceCreated(SystemUser user, int gatewayPort) {
    egress.ifPresent(p -> p.addTenant(user, gatewayPort));
  }

  /** Removes the tenant's egress rules; a no-op in mode none. */
  public void onInstanceDeleted(SystemUser user) {
    egress.ifPresent(p -> p.removeTenant(user));
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
    if (bubblewrap.isEmpty()) {
      return spec;
    }
    SandboxSpec sandbox =
        sandboxSpec(layout, spec.user().get(), runtime, spec.environment(), spec.workingDir());
    return new LaunchSpec(
        spec.instanceId(),
        spec.port(),
        bubblewrap.get().wrap(sandbox, spec.command()),
        spec.environment(),
        spec.workingDir(),
        spec.logFile(),
        spec.pidFile(),
        spec.user(),
        spec.limits());
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
    return (command, environment, workingDir) -> {
      List<String> wrapped =
          new ArrayList<>(HostCheck.dropTo(setpriv.orElseThrow(), tenant.uid(), tenant.gid()));
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
    return new EgressHealthCheck(mode, singleTenant, egress);
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
