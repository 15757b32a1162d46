package io.clawhive.worker.fleet;

import io.clawhive.core.storage.ConstraintViolationStorageException;
import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.InstanceState;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.gateway.GatewayConfigRejectedException;
import io.clawhive.worker.gateway.GatewayConfigRenderer;
import io.clawhive.worker.gateway.GatewayConfigSpec;
import io.clawhive.worker.instance.AuthTokens;
import io.clawhive.worker.instance.DiskImages;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.ProvisioningException;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.instance.SystemUsers;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.process.TenantFiles;
import io.clawhive.worker.sandbox.Isolation;
import io.clawhive.worker.skills.SkillInstallResult;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions a new instance: a port (storage enforces uniqueness per worker; a lost race retries
 * with another port), the row in PROVISIONING, a disk image of the quota's size mounted over the
 * instance directory (when the host offers them, see {@link DiskImages}), 0700 directories, a
 * system user and its egress rules (sandbox and user modes), a random token, {@code openclaw.json}
 * with the model provider (a credential of its own for the worker's model proxy, see {@link
 * ModelAccess}) and a per-instance log file (written as the instance's user), the config check, and
 * the recommended skills (a failed skill is recorded, not fatal); the check and the skills run as
 * the instance's user, in its sandbox. A rejected config leaves the instance FAILED with the
 * gateway's reason.
 *
 * <p>Root creates the three tenant directories (in its own instance directory) and hands them over;
 * after that every file inside them is written by the tenant's uid (config, skills), so root never
 * chowns or reads a path the tenant controls.
 */
final class Provisioner {

  private static final Logger LOG = LoggerFactory.getLogger(Provisioner.class);
  static final int MAX_PORT_ATTEMPTS = 16;
  static final String OPENCLAW_LOG_FILE = "openclaw.log";

  private final FleetSettings settings;
  private final Storage storage;
  private final ConfigCheck configCheck;
  private final SkillOperations skills;
  private final Optional<SystemUsers> users;
  private final Isolation isolation;
  private final ModelAccess modelAccess;
  private final Optional<DiskImages> disks;
  private final Clock clock;
  private final GatewayConfigRenderer renderer = new GatewayConfigRenderer();

  Provisioner(
      FleetSettings settings,
      Storage storage,
      ConfigCheck configCheck,
      SkillOperations skills,
      Optional<SystemUsers> users,
      Isolation isolation,
      ModelAccess modelAccess,
      Optional<DiskImages> disks,
      Clock clock) {
    this.settings = settings;
    this.storage = storage;
    this.configCheck = configCheck;
    this.skills = skills;
    this.users = users;
    this.isolation = isolation;
    this.modelAccess = modelAccess;
    this.disks = disks;
    this.clock = clock;
  }

  /** Creates instance {@code id} for {@code tenantId} (null = warm pool); not started yet. */
  Member provision(String id, Long tenantId) {
    InstanceLayout layout = InstanceLayout.of(settings.instancesDir(), id);
    Optional<SystemUser> user = users.map(u -> u.ensure(id));
    String token = AuthTokens.newToken();
    int port = insertRow(id, tenantId, token, user, layout);
    Member member = new Member(id, tenantId, port, token, layout, user, InstanceState.PROVISIONING);
    try {
      user.ifPresent(u -> isolation.onInstanceCreated(id, u, port, settings.ports().slotOf(port)));
      disks.ifPresent(d -> d.create(layout)); // before any file: all of them count
      layout.create(user);
      writeConfig(member);
      configCheck.check(id, environment(layout), wrapper(member));
      installSkills(member, settings.recommendedSkills());
    } catch (GatewayConfigRejectedException e) {
      fail(member, "gateway config rejected: " + e.getMessage());
    } catch (RuntimeException e) {
      fail(member, "provisioning failed: " + e.getMessage());
      throw e;
    }
    LOG.info(
        "provisioned instance {} for {} on port {} in {}",
        id,
        tenantId == null ? "the warm pool" : "tenant " + tenantId,
        port,
        layout.instanceDir());
    return member;
  }

  /**
   * Before a member's first launch by this worker: an instance provisioned before the model proxy
   * has the operator's model key in its {@code openclaw.json}; it gets its own credential and the
   * config is written again (a failure stops the launch rather than start with the key).
   */
  void ensureModelCredential(Member member) {
    if (modelAccess.holds(member.id)) {
      return;
    }
    writeConfig(member);
    LOG.info(
        "instance {}: model proxy credential issued and openclaw.json rewritten (no model key in"
            + " it any more)",
        member.id);
  }

  /** The instance is being deleted: its model credential stops working. */
  void revokeModelCredential(String instanceId) {
    modelAccess.revoke(instanceId);
  }

  /**
   * openclaw.json with a fresh model credential and the gateway's bind address, written by the
   * instance's own user (mode 0600, replaced atomically).
   */
  private void writeConfig(Member member) {
    String config =
        renderer.render(
            new GatewayConfigSpec(
                member.port,
                member.token,
                member.layout.stateDir().resolve(OPENCLAW_LOG_FILE),
                member.layout.workspaceDir(),
                modelAccess.issue(member.id),
                isolation.gatewayBindHost(member.id)));
    TenantFiles.write(
        wrapper(member),
        environment(member.layout),
        member.layout.configDir(),
        member.layout.configFile(),
        config);
  }

  /** Installs skills; each outcome and the locked versions are recorded. */
  List<SkillInstallResult> installSkills(Member member, List<String> slugs) {
    return skills.install(member, slugs, wrapper(member));
  }

  /** How runtime commands for the member run: as its user, in its sandbox (per isolation mode). */
  CommandWrapper wrapper(Member member) {
    return isolation.commandWrapper(member.layout, member.user, settings.runtime());
  }

  Map<String, String> environment(InstanceLayout layout) {
    return GatewayCommand.environment(
        settings.runtime(), layout.stateDir(), layout.configFile(), layout.stateDir());
  }

  private int insertRow(
      String id, Long tenantId, String token, Optional<SystemUser> user, InstanceLayout layout) {
    InstanceDao dao = storage.dao(InstanceDao.class);
    Set<Integer> taken = new HashSet<>();
    for (int attempt = 0; attempt < MAX_PORT_ATTEMPTS; attempt++) {
      taken.addAll(dao.usedPorts(settings.nodeId()));
      int port =
          settings
              .ports()
              .allocate(taken, !isolation.privateNetworks())
              .orElseThrow(
                  () -> new ProvisioningException(id, "no free gateway port on this worker"));
      try {
        dao.insert(
            Instance.provisioning(
                id,
                tenantId,
                settings.nodeId(),
                port,
                token,
                user.map(SystemUser::name).orElse(null),
                layout.instanceDir().toString(),
                clock.instant()));
        return port;
      } catch (ConstraintViolationStorageException e) {
        if (e.constraint() == null || !e.constraint().contains("port")) {
          throw e;
        }
        LOG.debug("instance {}: port {} taken meanwhile, trying another", id, port);
        taken.add(port);
      }
    }
    throw new ProvisioningException(id, "no port after " + MAX_PORT_ATTEMPTS + " attempts");
  }

  private void fail(Member member, String reason) {
    LOG.error("instance {} FAILED: {}; needs an operator", member.id, reason);
    storage.dao(FleetDao.class).markFailed(member.id, reason, clock.instant());
    member.changed(InstanceState.FAILED);
  }
}
