package io.clawhive.worker.fleet;

import io.clawhive.core.storage.Instance;
import io.clawhive.core.storage.InstanceDao;
import io.clawhive.core.storage.Storage;
import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.SystemUser;
import io.clawhive.worker.instance.SystemUsers;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The instances of this worker that the fleet holds in memory, keyed by instance id, loaded from
 * their {@code instances} row on first use. Rows of other workers are refused.
 */
final class Members {

  private final Map<String, Member> byId = new ConcurrentHashMap<>();
  private final FleetSettings settings;
  private final Storage storage;
  private final Optional<SystemUsers> users;

  Members(FleetSettings settings, Storage storage, Optional<SystemUsers> users) {
    this.settings = settings;
    this.storage = storage;
    this.users = users;
  }

  /** The member, or null when this worker holds none with that id. */
  Member get(String instanceId) {
    return byId.get(instanceId);
  }

  boolean contains(String instanceId) {
    return byId.containsKey(instanceId);
  }

  Collection<Member> all() {
    return byId.values();
  }

  int liveCount() {
    return (int) byId.values().stream().filter(Member::live).count();
  }

  void add(Member member) {
    byId.put(member.id, member);
  }

  void remove(String instanceId) {
    byId.remove(instanceId);
  }

  /** A fresh member for the row, replacing any held one (worker start). */
  Member adopt(Instance row) {
    Member member = memberOf(row);
    byId.put(row.id(), member);
    return member;
  }

  /** The held member for the row, loaded from it when not held yet. */
  Member of(Instance row) {
    return byId.computeIfAbsent(row.id(), id -> memberOf(row));
  }

  /** The member with that id on this worker; throws when it does not exist or lives elsewhere. */
  Member require(String instanceId) {
    Member member = byId.get(instanceId);
    if (member != null) {
      return member;
    }
    Instance row =
        storage
            .dao(InstanceDao.class)
            .findById(instanceId)
            .orElseThrow(
                () -> new InstanceUnavailableException(instanceId, null, "does not exist"));
    if (!row.workerNode().equals(settings.nodeId())) {
      throw new InstanceUnavailableException(
          instanceId, row.tenantId(), "lives on worker " + row.workerNode());
    }
    return of(row);
  }

  /** The tenant's member on this worker, if it has one. */
  Optional<Member> ofTenant(long tenantId) {
    for (Member member : byId.values()) {
      if (Long.valueOf(tenantId).equals(member.tenantId())) {
        return Optional.of(member);
      }
    }
    return storage
        .dao(InstanceDao.class)
        .findByTenant(tenantId)
        .filter(row -> row.workerNode().equals(settings.nodeId()))
        .map(this::of);
  }

  private Member memberOf(Instance row) {
    Optional<SystemUser> user =
        row.systemUsername() == null
            ? Optional.empty()
            : users.flatMap(u -> u.find(row.systemUsername()));
    return new Member(
        row.id(),
        row.tenantId(),
        row.port(),
        row.authToken(),
        InstanceLayout.of(settings.instancesDir(), row.id()),
        user,
        row.actualState());
  }
}
