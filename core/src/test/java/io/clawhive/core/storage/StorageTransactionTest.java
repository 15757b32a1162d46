package io.clawhive.core.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clawhive.core.testing.TestDatabase;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Tag("infra")
class StorageTransactionTest {

  private static final String ALL = "io.clawhive.core.testing.TestDatabases#all";

  @ParameterizedTest
  @MethodSource(ALL)
  void failureInsideTransactionLeavesNoRows(TestDatabase db) {
    Storage storage = db.storage();

    assertThatThrownBy(
            () ->
                storage.inTransaction(
                    tx -> {
                      tx.dao(TenantDao.class).insert(Rows.tenant(1));
                      tx.dao(InstanceDao.class).insert(Rows.instance("i-1", 1L, "w1", 18000));
                      // same port again: the whole unit of work must disappear
                      tx.dao(InstanceDao.class).insert(Rows.instance("i-2", null, "w1", 18000));
                      return null;
                    }))
        .isInstanceOf(ConstraintViolationStorageException.class);

    assertThat(db.count("SELECT COUNT(*) FROM tenants")).isZero();
    assertThat(db.count("SELECT COUNT(*) FROM instances")).isZero();
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void applicationExceptionRollsBackAndPassesThroughUnchanged(TestDatabase db) {
    Storage storage = db.storage();
    IllegalStateException boom = new IllegalStateException("boom");

    assertThatThrownBy(
            () ->
                storage.inTransaction(
                    tx -> {
                      tx.dao(TenantDao.class).insert(Rows.tenant(1));
                      throw boom;
                    }))
        .isSameAs(boom);

    assertThat(storage.dao(TenantDao.class).findById(1)).isEmpty();
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void committedTransactionKeepsAllRows(TestDatabase db) {
    Storage storage = db.storage();
    String id =
        storage.inTransaction(
            tx -> {
              tx.dao(TenantDao.class).insert(Rows.tenant(1));
              tx.dao(InstanceDao.class).insert(Rows.instance("i-1", 1L, "w1", 18000));
              return "i-1";
            });
    assertThat(storage.dao(InstanceDao.class).findByTenant(1))
        .get()
        .extracting(Instance::id)
        .isEqualTo(id);
  }
}
