package io.clawhive.core.storage;

import static io.clawhive.core.storage.Rows.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.clawhive.core.ClawhiveException;
import io.clawhive.core.testing.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Tag("infra")
class ConstraintViolationTest {

  private static final String ALL = "io.clawhive.core.testing.TestDatabases#all";

  @ParameterizedTest
  @MethodSource(ALL)
  void duplicateTenantIdNamesTableAndKey(TestDatabase db) {
    TenantDao tenants = db.storage().dao(TenantDao.class);
    tenants.insert(Rows.tenant(42));

    ConstraintViolationStorageException e = violation(() -> tenants.insert(Rows.tenant(42)));

    assertThat(e).isInstanceOf(StorageException.class).isInstanceOf(ClawhiveException.class);
    assertThat(e.sqlState()).isEqualTo("23505");
    assertThat(e.table()).isEqualTo("tenants");
    assertThat(e.constraint()).isEqualTo("pk_tenants");
    assertThat(e.key()).isEqualTo("(id)=(42)");
    assertThat(e.getMessage())
        .isEqualTo(
            "Cannot write tenants: a tenant with this Telegram user id already exists;"
                + " key (id)=(42) [constraint pk_tenants]")
        .doesNotContain("session-42");
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void duplicateWorkerPortNamesBothKeyColumns(TestDatabase db) {
    InstanceDao instances = db.storage().dao(InstanceDao.class);
    instances.insert(Rows.instance("i-1", null, "w1", 18000));

    ConstraintViolationStorageException e =
        violation(() -> instances.insert(Rows.instance("i-2", null, "w1", 18000)));

    assertThat(e.constraint()).isEqualTo("uq_instances_worker_port");
    assertThat(e.table()).isEqualTo("instances");
    assertThat(e.key()).matches("\\(worker_node, port\\)=\\('?w1'?, 18000\\)");
    assertThat(e.getMessage())
        .startsWith(
            "Cannot write instances: this port is already used by another instance on this"
                + " worker node (pick a free port); key (worker_node, port)=(")
        .endsWith("[constraint uq_instances_worker_port]")
        .doesNotContain("token-i-2");
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void instanceForUnknownTenantSaysCreateTheTenantFirst(TestDatabase db) {
    InstanceDao instances = db.storage().dao(InstanceDao.class);

    ConstraintViolationStorageException e =
        violation(() -> instances.insert(Rows.instance("i-1", 77L, "w1", 18000)));

    assertThat(e.constraint()).isEqualTo("fk_instances_tenant");
    assertThat(e.key()).isEqualTo("(tenant_id)=(77)");
    assertThat(e.getMessage())
        .isEqualTo(
            "Cannot write instances: the instance refers to a tenant that does not exist"
                + " (create the tenant first); key (tenant_id)=(77)"
                + " [constraint fk_instances_tenant]");
    assertThat(db.count("SELECT COUNT(*) FROM instances")).isZero();
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void secondInstanceForOneTenantIsRejected(TestDatabase db) {
    Storage storage = db.storage();
    storage.dao(TenantDao.class).insert(Rows.tenant(5));
    InstanceDao instances = storage.dao(InstanceDao.class);
    instances.insert(Rows.instance("i-1", 5L, "w1", 18000));

    ConstraintViolationStorageException e =
        violation(() -> instances.insert(Rows.instance("i-2", 5L, "w1", 18020)));

    assertThat(e.constraint()).isEqualTo("uq_instances_tenant");
    assertThat(e.key()).isEqualTo("(tenant_id)=(5)");
    assertThat(e.getMessage())
        .contains("this tenant already has an instance (one instance per tenant)")
        .contains("instances");
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void deletingTenantWithInstanceSaysItIsStillReferenced(TestDatabase db) {
    Storage storage = db.storage();
    storage.dao(TenantDao.class).insert(Rows.tenant(5));
    storage.dao(InstanceDao.class).insert(Rows.instance("i-1", 5L, "w1", 18000));

    ConstraintViolationStorageException e =
        violation(
            () ->
                storage.inTransaction(
                    tx -> tx.handle().execute("DELETE FROM tenants WHERE id = ?", 5)));

    assertThat(e.constraint()).isEqualTo("fk_instances_tenant");
    assertThat(e.getMessage()).contains("the tenant still has an instance");
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void missingValueNamesTheColumn(TestDatabase db) {
    TenantDao tenants = db.storage().dao(TenantDao.class);

    ConstraintViolationStorageException e =
        violation(
            () -> tenants.insert(new Tenant(1, null, null, null, TenantStatus.ACTIVE, T0, T0)));

    assertThat(e.sqlState()).isEqualTo("23502");
    assertThat(e.getMessage()).contains("column session_key must have a value");
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void otherFailuresAreStorageExceptions(TestDatabase db) {
    Storage storage = db.storage();
    StorageException e =
        catchThrowableOfType(
            StorageException.class,
            () -> storage.inTransaction(tx -> tx.handle().execute("SELECT nope FROM nowhere")));
    assertThat(e).isNotInstanceOf(ConstraintViolationStorageException.class);
    assertThat(e.getMessage())
        .startsWith("Storage operation failed: ")
        .containsIgnoringCase("nowhere");
  }

  private static ConstraintViolationStorageException violation(Runnable write) {
    ConstraintViolationStorageException e =
        catchThrowableOfType(ConstraintViolationStorageException.class, write::run);
    assertThat(e).as("expected a constraint violation").isNotNull();
    return e;
  }
}
