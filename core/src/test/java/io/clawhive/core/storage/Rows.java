package io.clawhive.core.storage;

import java.time.Instant;

/** Test rows with fixed, readable values. */
final class Rows {

  static final Instant T0 = Instant.parse("2026-11-28T10:00:00.123456Z");

  private Rows() {}

  static Tenant tenant(long id) {
    return new Tenant(id, id + 1000, "user" + id, "session-" + id, TenantStatus.ACTIVE, T0, T0);
  }

  static Instance instance(String id, Long tenantId, String worker, int port) {
    return Instance.provisioning(
        id, tenantId, worker, port, "token-" + id, "claw" + port, "/data/instances/" + id, T0);
  }

  /** A warm-pool instance that is up and unassigned. */
  static Instance pooledRunning(String id, String worker, int port, Instant createdAt) {
    Instance i = instance(id, null, worker, port);
    return new Instance(
        i.id(),
        null,
        worker,
        port,
        InstanceState.RUNNING,
        InstanceState.RUNNING,
        i.authToken(),
        i.systemUsername(),
        i.baseDir(),
        4242L,
        0,
        0,
        null,
        createdAt,
        createdAt,
        null,
        createdAt,
        createdAt,
        0);
  }
}
