package io.clawhive.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.clawhive.worker.gateway.ModelProvider;
import io.clawhive.worker.modelproxy.ModelProxySettings;
import io.clawhive.worker.sandbox.EgressAllowance;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import jakarta.validation.Validator;
import org.junit.jupiter.api.Test;

/** How the worker config wires the model proxy: egress allowance, template provider, settings. */
class ModelProxyWiringTest {

  private static final String LOCAL_MODEL =
      "model: {baseUrl: 'http://127.0.0.1:11434/v1', apiKey: sk-operator-secret, id: m1}\n";

  private final ObjectMapper yaml = Jackson.newObjectMapper(new YAMLFactory());
  private final Validator validator = Validators.newValidator();

  @Test
  void tenantsMayReachTheProxyButNoLongerTheModelEndpoint() throws Exception {
    WorkerConfig config =
        yaml.readValue(
            LOCAL_MODEL + "isolation: {mode: none, allowSharedNone: true}\n", WorkerConfig.class);

    WorkerRole.isolation(config, 18790);

    assertThat(config.getIsolation().allowances())
        .extracting(EgressAllowance::toString)
        .contains("127.0.0.1:18790")
        .noneMatch(a -> a.contains("11434"));
  }

  @Test
  void gatewaysGetATemplateWithoutTheModelKey() throws Exception {
    WorkerConfig config = yaml.readValue(LOCAL_MODEL, WorkerConfig.class);

    ModelProvider template = WorkerRole.modelTemplate(config.getModel());
    assertThat(template.apiKey()).isNotEqualTo("sk-operator-secret");
    assertThat(template.baseUrl()).doesNotContain("11434");
    assertThat(template.modelIds()).containsExactly("m1");
    assertThat(WorkerRole.fleetSettings(config, "n", java.nio.file.Path.of("/d"), false).model())
        .isEqualTo(template);
    assertThat(config.toString()).doesNotContain("sk-operator-secret");
    WorkerConfig none = yaml.readValue("runtimeDir: /x\n", WorkerConfig.class);
    assertThat(WorkerRole.modelTemplate(none.getModel())).isEqualTo(WorkerRole.UNCONFIGURED_MODEL);
  }

  @Test
  void proxySettingsHaveDocumentedDefaultsAndAreValidated() throws Exception {
    WorkerConfig defaults = yaml.readValue("runtimeDir: /x\n", WorkerConfig.class);
    assertThat(defaults.getModelProxy().toSettings()).isEqualTo(ModelProxySettings.defaults());

    WorkerConfig set =
        yaml.readValue(
            "modelProxy: {port: 0, requestsPerMinute: 0, tokensPerDay: 500, maxAnswer: 64KiB}\n",
            WorkerConfig.class);
    assertThat(validator.validate(set)).isEmpty();
    ModelProxySettings settings = set.getModelProxy().toSettings();
    assertThat(settings.port()).isZero();
    assertThat(settings.requestsPerMinute()).isZero();
    assertThat(settings.tokensPerDay()).isEqualTo(500);
    assertThat(settings.maxAnswerBytes()).isEqualTo(64 * 1024);

    WorkerConfig bad =
        yaml.readValue("modelProxy: {port: 70000, tokensPerDay: -1}\n", WorkerConfig.class);
    assertThat(validator.validate(bad))
        .extracting(v -> v.getPropertyPath().toString())
        .containsExactlyInAnyOrder("modelProxy.port", "modelProxy.tokensPerDay");
  }
}
