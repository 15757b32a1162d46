package io.clawhive.core.storage;

import static io.clawhive.core.storage.Rows.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clawhive.core.testing.TestDatabase;
import java.time.LocalDate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The model proxy's tables on H2 and PostgreSQL: credentials by hash, usage per tenant and day. */
@Tag("infra")
class ModelProxyStorageTest {

  private static final String ALL = "io.clawhive.core.testing.TestDatabases#all";
  private static final LocalDate DAY = LocalDate.of(2026, 12, 3);

  @ParameterizedTest
  @MethodSource(ALL)
  void credentialsFindTheirInstanceAndTenantAndGoWithTheInstance(TestDatabase db) {
    Storage storage = db.storage();
    storage.dao(TenantDao.class).insert(Rows.tenant(1));
    storage.dao(InstanceDao.class).insert(Rows.instance("i-1", 1L, "w1", 18000));
    storage.dao(InstanceDao.class).insert(Rows.instance("i-2", null, "w1", 18020));
    ModelCredentialDao credentials = storage.dao(ModelCredentialDao.class);

    credentials.replace("i-1", "a".repeat(64), T0);
    credentials.replace("i-2", "b".repeat(64), T0);
    assertThat(credentials.findHolder("a".repeat(64)))
        .contains(new ModelCredentialHolder("i-1", 1L));
    assertThat(credentials.findHolder("b".repeat(64)))
        .contains(new ModelCredentialHolder("i-2", null));
    assertThat(credentials.exists("i-1")).isTrue();

    credentials.replace("i-1", "c".repeat(64), T0.plusSeconds(1));
    assertThat(credentials.findHolder("a".repeat(64))).as("replaced = revoked").isEmpty();
    assertThat(credentials.findHolder("c".repeat(64))).isPresent();
    assertThatThrownBy(() -> credentials.replace("i-2", "c".repeat(64), T0))
        .isInstanceOf(ConstraintViolationStorageException.class);

    storage.dao(InstanceDao.class).delete("i-1");
    assertThat(credentials.findHolder("c".repeat(64))).as("gone with its instance").isEmpty();
    assertThat(credentials.exists("i-1")).isFalse();
    assertThat(credentials.delete("i-2")).isTrue();
    assertThat(credentials.exists("i-2")).isFalse();
  }

  @ParameterizedTest
  @MethodSource(ALL)
  void usageAddsUpPerTenantAndDay(TestDatabase db) {
    ModelUsageDao usage = db.storage().dao(ModelUsageDao.class);
    assertThat(usage.add(7, DAY, 1, 100, 20, 0, 0, T0)).as("no row yet").isFalse();
    usage.insert(7, DAY, 1, 100, 20, 0, 0, T0);
    assertThat(usage.add(7, DAY, 1, 50, 5, 1, 2, T0.plusSeconds(1))).isTrue();
    usage.insert(7, DAY.plusDays(1), 1, 1, 1, 0, 0, T0);
    usage.insert(8, DAY, 3, 3, 3, 0, 0, T0);
    assertThatThrownBy(() -> usage.insert(8, DAY, 1, 1, 1, 0, 0, T0))
        .isInstanceOf(ConstraintViolationStorageException.class);

    assertThat(usage.find(7, DAY))
        .contains(new ModelUsage(7, DAY, 2, 150, 25, 1, 2, T0.plusSeconds(1)));
    assertThat(usage.find(7, DAY).orElseThrow().tokens()).isEqualTo(175);
    assertThat(usage.listBetween(DAY, DAY))
        .extracting(ModelUsage::tenantId)
        .containsExactly(7L, 8L);
    assertThat(usage.listBetween(DAY, DAY.plusDays(1))).hasSize(3);
    assertThat(usage.listOfTenantBetween(7, DAY, DAY.plusDays(5)))
        .extracting(ModelUsage::usageDay)
        .containsExactly(DAY, DAY.plusDays(1));
    assertThat(usage.listOfTenantBetween(9, DAY, DAY)).isEmpty();
  }
}
