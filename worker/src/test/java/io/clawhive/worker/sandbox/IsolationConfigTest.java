package io.clawhive.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import java.net.InetAddress;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class IsolationConfigTest {

  private static final ObjectMapper JSON = Jackson.newObjectMapper();

  @Test
  void autoMeansSandboxAsRootAndNoneOtherwise() {
    IsolationConfig config = new IsolationConfig();
    assertThat(config.getMode()).isEqualTo("auto");
    assertThat(config.effectiveMode(true)).isEqualTo(IsolationMode.SANDBOX);
    assertThat(config.effectiveMode(false)).isEqualTo(IsolationMode.NONE);
    config.setMode("USER");
    assertThat(config.effectiveMode(true)).isEqualTo(IsolationMode.USER);
  }

  @Test
  void typoInModeIsRejectedWhereItIsSet() {
    assertThatThrownBy(() -> new IsolationConfig().setMode("sandbx"))
        .hasMessageContaining("sandbox, user, none")
        .hasMessageContaining("sandbx");
  }

  @Test
  void readsFromYamlLikeJsonWithAllowances() throws Exception {
    IsolationConfig config =
        JSON.readValue(
            "{\"mode\":\"sandbox\",\"allowed\":[\"127.0.0.1:11434\",\"[::1]:8080\","
                + "\"10.20.0.0/16\"],\"gatewayPortSpan\":3}",
            IsolationConfig.class);
    assertThat(config.allowances())
        .containsExactly(
            new EgressAllowance(InetAddress.getByName("127.0.0.1"), 32, OptionalInt.of(11434)),
            new EgressAllowance(InetAddress.getByName("::1"), 128, OptionalInt.of(8080)),
            new EgressAllowance(InetAddress.getByName("10.20.0.0"), 16, OptionalInt.empty()));
    assertThat(config.getAllowed())
        .containsExactly("127.0.0.1:11434", "[0:0:0:0:0:0:0:1]:8080", "10.20.0.0/16");
    assertThat(config.getGatewayPortSpan()).isEqualTo(3);
  }

  @Test
  void hostNamesAndBadAddressesAreRefused() {
    for (String bad :
        List.of(
            "metadata.google.internal:80",
            "localhost:8080",
            "300.1.1.1:80",
            "1.2.3.4/33",
            "1.2.3.4:70000",
            "")) {
      assertThatThrownBy(() -> EgressAllowance.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad);
    }
  }

  @Test
  void relativePathsInEtcAreRefused() {
    assertThatThrownBy(() -> new IsolationConfig().setExtraReadOnlyPaths(List.of("opt/jdk")))
        .hasMessageContaining("extraReadOnlyPaths")
        .hasMessageContaining("opt/jdk");
  }
}
