package io.clawhive.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointAllowancesTest {

  @Test
  void localAndPrivateLiteralsAreAllowedWithTheirPort() {
    assertThat(strings("http://127.0.0.1:11434/v1")).containsExactly("127.0.0.1:11434");
    assertThat(strings("https://10.1.2.3/v1")).containsExactly("10.1.2.3:443");
    assertThat(strings("http://192.168.0.5/v1")).containsExactly("192.168.0.5:80");
    assertThat(strings("http://100.64.1.1:8000")).containsExactly("100.64.1.1:8000");
    assertThat(strings("http://[::1]:9000/v1")).containsExactly("[0:0:0:0:0:0:0:1]:9000");
    assertThat(strings("http://localhost:8080/v1"))
        .containsExactly("127.0.0.1:8080", "[0:0:0:0:0:0:0:1]:8080");
  }

  @Test
  void publicAddressesHostNamesAndBlankNeedNothing() {
    assertThat(EndpointAllowances.of("https://8.8.8.8/v1")).isEmpty();
    assertThat(EndpointAllowances.of("https://api.openai.com/v1")).isEmpty();
    assertThat(EndpointAllowances.of("")).isEmpty();
    assertThat(EndpointAllowances.of(null)).isEmpty();
    assertThat(EndpointAllowances.of("not a url")).isEmpty();
  }

  private static List<String> strings(String url) {
    return EndpointAllowances.of(url).stream().map(EgressAllowance::toString).toList();
  }
}
