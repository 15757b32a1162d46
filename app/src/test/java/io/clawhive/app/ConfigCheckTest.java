package io.clawhive.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real {@code check} command in a child JVM, as an operator would. */
class ConfigCheckTest {
  private static final Path CONFIG = Path.of("..", "config.yml").toAbsolutePath().normalize();

  @TempDir Path dataDir;

  @Test
  void shippedConfigPassesCheck() throws Exception {
    Result result = check(CONFIG, Map.of());
    assertThat(result.exitCode()).as(result.output()).isZero();
    // Dropwizard logs "Configuration is OK" through an async appender that a fast JVM exit can
    // drop, so the exit code is the contract; an error would be printed synchronously.
    assertThat(result.output()).doesNotContain("has an error");
  }

  @Test
  void badPortIsRejectedNamingTheField() throws Exception {
    Result result = check(CONFIG, Map.of("CLAWHIVE_HTTP_PORT", "not-a-port"));
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("port");
  }

  @Test
  void unknownRoleIsRejectedNamingTheField() throws Exception {
    Result result = check(CONFIG, Map.of("CLAWHIVE_ROLES", "api,bogus"));
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("roles").contains("CLAWHIVE_ROLES");
  }

  @Test
  void nonAmqpBrokerUriIsRejectedNamingTheField() throws Exception {
    Result result = check(CONFIG, Map.of("CLAWHIVE_AMQP_URI", "http://127.0.0.1:5672"));
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("broker.uri").contains("amqp://");
  }

  @Test
  void webhookModeWithoutSecretIsContradictory() throws Exception {
    Result result =
        check(
            CONFIG,
            Map.of(
                "TELEGRAM_MODE", "webhook",
                "TELEGRAM_BOT_TOKEN", "123:abc",
                "TELEGRAM_WEBHOOK_URL", "https://bot.example/telegram/webhook"));
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("api.telegram").contains("TELEGRAM_WEBHOOK_SECRET");
    assertThat(result.output()).doesNotContain("123:abc");
  }

  @Test
  void unknownKeyIsRejected() throws Exception {
    Path config = dataDir.resolve("extra.yml");
    Files.writeString(
        config, Files.readString(CONFIG) + "\nsurprise: true\n", StandardCharsets.UTF_8);
    Result result = check(config, Map.of());
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("surprise");
  }

  @Test
  void dbMigrateAppliesEverythingAndStatusThenShowsNothingPending() throws Exception {
    Result migrate = run(Map.of(), "db", "migrate", CONFIG.toString());
    assertThat(migrate.exitCode()).as(migrate.output()).isZero();
    assertThat(dataDir.resolve("db").resolve("clawhive.mv.db")).exists();

    Result status = run(Map.of(), "db", "status", CONFIG.toString());
    assertThat(status.exitCode()).as(status.output()).isZero();
    assertThat(status.output()).contains("is up to date");
  }

  private Result check(Path config, Map<String, String> env)
      throws IOException, InterruptedException {
    return run(env, "check", config.toString());
  }

  private Result run(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(ClawhiveApplication.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder
        .environment()
        .keySet()
        .removeIf(k -> k.startsWith("CLAWHIVE_") || k.startsWith("TELEGRAM_"));
    builder.environment().put("CLAWHIVE_DATA_DIR", dataDir.toString());
    builder.environment().putAll(env);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("check finished").isTrue();
    return new Result(process.exitValue(), output);
  }

  private record Result(int exitCode, String output) {}
}
