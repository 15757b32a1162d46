package io.clawhive.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A mode the host cannot provide stops the worker with one line naming what is missing; mode none
 * never refuses but runs single-tenant unless sharing was chosen.
 */
class IsolationStartupTest {

  @Test
  void missingBubblewrapIsOneClearLine() {
    IsolationConfig config = SandboxHost.config("sandbox", List.of());
    config.setBwrap("/nonexistent/bin/bwrap");
    assertThatThrownBy(() -> Isolation.forMode(config, 4, true))
        .isInstanceOf(IsolationUnavailableException.class)
        .hasMessage(
            "isolation mode sandbox is not available on this host: bwrap not found"
                + " (/nonexistent/bin/bwrap): install the Debian package bubblewrap or set"
                + " isolation.bwrap to its path")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void missingIptablesIsOneClearLine() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        HostTool.find("setpriv").isPresent(), "setpriv not installed");
    IsolationConfig config = SandboxHost.config("user", List.of());
    config.setIptables("/nonexistent/sbin/iptables");
    assertThatThrownBy(() -> Isolation.forMode(config, 4, true))
        .isInstanceOf(IsolationUnavailableException.class)
        .hasMessage(
            "isolation mode user is not available on this host: iptables not found"
                + " (/nonexistent/sbin/iptables): install the Debian package iptables or set"
                + " isolation.iptables to its path");
  }

  @Test
  void userAndSandboxNeedRoot() {
    assertThatThrownBy(() -> Isolation.forMode(SandboxHost.config("sandbox", List.of()), 1, false))
        .isInstanceOf(IsolationUnavailableException.class)
        .hasMessageContaining("sandbox")
        .hasMessageContaining("not running as root");
  }

  @Test
  void noneWithoutSharingStartsSingleTenantWhateverTheCapacity() {
    IsolationConfig config = SandboxHost.config("none", List.of());

    Isolation single = Isolation.forMode(config, 8, true);

    assertThat(single.mode()).isEqualTo(IsolationMode.NONE);
    assertThat(single.singleTenant()).isTrue();
    assertThat(single.ownUsers()).isFalse();
    assertThat(single.egressPolicy()).isEmpty();

    config.setAllowSharedNone(true);
    Isolation shared = Isolation.forMode(config, 8, true);
    assertThat(shared.mode()).isEqualTo(IsolationMode.NONE);
    assertThat(shared.singleTenant()).isFalse();
  }

  @Test
  void autoAsNonRootIsSingleTenantNone() {
    Isolation auto = Isolation.forMode(new IsolationConfig(), 8, false);

    assertThat(auto.mode()).isEqualTo(IsolationMode.NONE);
    assertThat(auto.singleTenant()).isTrue();
    var result = auto.healthCheck().execute();
    assertThat(result.isHealthy()).isTrue();
    assertThat(result.getMessage()).isEqualTo("isolation none, single tenant: no egress policy");
  }

  @Test
  void healthCheckOfModeNoneSaysThereIsNoPolicy() {
    IsolationConfig config = SandboxHost.config("none", List.of());
    var result = Isolation.forMode(config, 1, false).healthCheck().execute();
    assertThat(result.isHealthy()).isTrue();
    assertThat(result.getMessage()).contains("no egress policy");
    config.setAllowSharedNone(true);
    assertThat(Isolation.forMode(config, 4, false).healthCheck().execute().getMessage())
        .isEqualTo("isolation none, shared: no egress policy");
  }
}
