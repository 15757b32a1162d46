package io.clawhive.worker.fleet;

import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.openclaw.CommandResult;
import io.clawhive.worker.openclaw.GatewayCommand;
import io.clawhive.worker.openclaw.RuntimeCommandRunner;
import io.clawhive.worker.openclaw.RuntimeLayout;
import io.clawhive.worker.process.CommandWrapper;
import io.clawhive.worker.skills.SkillInstallResult;
import io.clawhive.worker.skills.SkillInstaller;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Skills through the runtime's {@code clawhub}: install via {@link SkillInstaller}, update with
 * {@code clawhub update <slug>|--all --workdir W --no-input}. Never {@code clawhub sync}.
 */
final class ClawhubSkills implements SkillSource {

  static final String CLAWHUB_CONFIG_FILE = "clawhub.json";
  static final String ALL = "--all";

  private final RuntimeLayout runtime;
  private final Optional<String> registry;
  private final SkillInstaller installer;

  ClawhubSkills(RuntimeLayout runtime, Optional<String> registry) {
    this.runtime = runtime;
    this.registry = registry.filter(r -> !r.isBlank());
    this.installer =
        new SkillInstaller(runtime, this.registry, SkillInstaller.DEFAULT_TIMEOUT_PER_SKILL);
  }

  @Override
  public List<SkillInstallResult> install(
      String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper) {
    return installer.install(
        instanceId,
        layout.workspaceDir(),
        layout.stateDir(),
        clawhubConfig(layout),
        slugs,
        wrapper);
  }

  @Override
  public List<SkillInstallResult> update(
      String instanceId, InstanceLayout layout, List<String> slugs, CommandWrapper wrapper) {
    List<SkillInstallResult> results = new ArrayList<>();
    for (String slug : slugs.isEmpty() ? List.of(ALL) : slugs) {
      List<String> argv =
          new ArrayList<>(
              List.of(
                  runtime.nodeBinary().toString(), runtime.clawhubEntry().toString(), "update"));
      argv.addAll(List.of(slug, "--workdir", layout.workspaceDir().toString(), "--no-input"));
      registry.ifPresent(r -> argv.addAll(List.of("--registry", r)));
      Map<String, String> env =
          Map.of(
              "HOME", layout.stateDir().toString(),
              "PATH", GatewayCommand.path(runtime),
              "CLAWHUB_CONFIG_PATH", clawhubConfig(layout).toString(),
              "CLAWHUB_DISABLE_TELEMETRY", "1",
              "NO_COLOR", "1");
      CommandResult result =
          RuntimeCommandRunner.run(
              wrapper.wrap(argv, env, layout.workspaceDir()),
              env,
              layout.workspaceDir(),
              SkillInstaller.DEFAULT_TIMEOUT_PER_SKILL);
      results.add(
          new SkillInstallResult(
              slug,
              result.succeeded()
                  ? SkillInstallResult.Status.INSTALLED
                  : SkillInstallResult.Status.FAILED,
              Optional.empty(),
              result.succeeded()
                  ? ""
                  : "clawhub update exit " + result.exitCode() + ": " + result.message()));
    }
    return results;
  }

  private static Path clawhubConfig(InstanceLayout layout) {
    return layout.stateDir().resolve(CLAWHUB_CONFIG_FILE);
  }
}
