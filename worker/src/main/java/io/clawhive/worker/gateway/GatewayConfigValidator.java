package io.clawhive.worker.gateway;

import io.clawhive.worker.openclaw.CommandResult;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.openclaw.RuntimeCommandRunner;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.CommandWrapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code openclaw config validate} against an instance's config, with that instance's
 * environment, before the gateway first starts: a config the gateway would reject becomes a {@link
 * GatewayConfigRejectedException} carrying the gateway's own message instead of an exit-78 restart
 * loop.
 */
public final class GatewayConfigValidator {

  /** Validation takes ≈ 1.5 s on 2 idle cores; leave room for a busy host. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private static final Logger LOG = LoggerFactory.getLogger(GatewayConfigValidator.class);

  private final RuntimeLayout runtime;
  private final Duration timeout;

  public GatewayConfigValidator(RuntimeLayout runtime) {
    this(runtime, DEFAULT_TIMEOUT);
  }

  public GatewayConfigValidator(RuntimeLayout runtime, Duration timeout) {
    this.runtime = runtime;
    this.timeout = timeout;
  }

  /**
   * Validates the config named by {@code OPENCLAW_CONFIG_PATH} in {@code environment} (see {@link
   * GatewayCommand#environment}); the command runs in {@code HOME}.
   */
  public void validate(String instanceId, Map<String, String> environment) {
    validate(instanceId, environment, CommandWrapper.NONE);
  }

  /** As {@link #validate(String, Map)}, the command run through {@code wrapper} (user, sandbox). */
  public void validate(String instanceId, Map<String, String> environment, CommandWrapper wrapper) {
    Path configFile = Path.of(require(environment, "OPENCLAW_CONFIG_PATH"));
    Path home = Path.of(require(environment, "HOME"));
    CommandResult result =
        RuntimeCommandRunner.run(
            wrapper.wrap(GatewayCommand.configValidate(runtime), environment, home),
            environment,
            home,
            timeout);
    if (result.timedOut()) {
      throw new GatewayUnavailableException(
          instanceId, "openclaw config validate timed out after " + timeout, null);
    }
    if (!result.succeeded()) {
      throw new GatewayConfigRejectedException(instanceId, configFile, result.message());
    }
    LOG.debug("instance {}: config {} valid", instanceId, configFile);
  }

  private static String require(Map<String, String> environment, String name) {
    String value = environment.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("environment lacks " + name);
    }
    return value;
  }
}
