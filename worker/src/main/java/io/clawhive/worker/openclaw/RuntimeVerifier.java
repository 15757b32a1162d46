package io.clawhive.worker.openclaw;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that a runtime directory holds Node &gt;= {@value #MIN_NODE_MAJOR}.{@value
 * #MIN_NODE_MINOR} and the pinned openclaw and clawhub versions. Throws {@link
 * RuntimeMissingException} with one clear line otherwise.
 */
public final class RuntimeVerifier {

  public static final String PINNED_NODE_VERSION = "24.22.3";
  public static final String PINNED_OPENCLAW_VERSION = "2026.9.6";
  public static final String PINNED_CLAWHUB_VERSION = "0.23.3";
  public static final int MIN_NODE_MAJOR = 24;
  public static final int MIN_NODE_MINOR = 16;
  public static final Duration NODE_VERSION_TIMEOUT = Duration.ofSeconds(10);

  private static final Pattern NODE_VERSION = Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String openclawVersion;
  private final String clawhubVersion;

  /** Verifies against the pinned versions. */
  public RuntimeVerifier() {
    this(PINNED_OPENCLAW_VERSION, PINNED_CLAWHUB_VERSION);
  }

  public RuntimeVerifier(String openclawVersion, String clawhubVersion) {
    this.openclawVersion = openclawVersion;
    this.clawhubVersion = clawhubVersion;
  }

  public VerifiedRuntime verify(Path runtimeDir) {
    RuntimeLayout layout = new RuntimeLayout(runtimeDir);
    Path dir = layout.dir();
    if (!Files.isDirectory(dir)) {
      throw new RuntimeMissingException(dir, "no such directory");
    }
    String node = nodeVersion(layout);
    String openclaw = packageVersion(layout, layout.openclawPackageDir(), "openclaw");
    requireVersion(dir, "openclaw", openclaw, openclawVersion);
    String clawhub = packageVersion(layout, layout.clawhubPackageDir(), "clawhub");
    requireVersion(dir, "clawhub", clawhub, clawhubVersion);
    if (!Files.isRegularFile(layout.openclawEntry())) {
      throw new RuntimeMissingException(dir, "no " + layout.openclawEntry());
    }
    if (!Files.isRegularFile(layout.clawhubEntry())) {
      throw new RuntimeMissingException(dir, "no " + layout.clawhubEntry());
    }
    return new VerifiedRuntime(layout, node, openclaw, clawhub);
  }

  private static String nodeVersion(RuntimeLayout layout) {
    Path dir = layout.dir();
    if (!Files.isExecutable(layout.nodeBinary())) {
      throw new RuntimeMissingException(dir, "no executable " + layout.nodeBinary());
    }
    CommandResult result;
    try {
      result =
          RuntimeCommandRunner.run(
              List.of(layout.nodeBinary().toString(), "--version"),
              Map.of("PATH", "/usr/bin:/bin"),
              dir,
              NODE_VERSION_TIMEOUT);
    } catch (RuntimeException e) {
      throw new RuntimeMissingException(dir, "cannot run node: " + e.getMessage());
    }
    Matcher matcher = NODE_VERSION.matcher(result.stdout().strip());
    if (!result.succeeded() || !matcher.matches()) {
      throw new RuntimeMissingException(
          dir, "node --version failed: exit " + result.exitCode() + " " + result.message());
    }
    int major = Integer.parseInt(matcher.group(1));
    int minor = Integer.parseInt(matcher.group(2));
    String version = major + "." + minor + "." + matcher.group(3);
    if (major < MIN_NODE_MAJOR || (major == MIN_NODE_MAJOR && minor < MIN_NODE_MINOR)) {
      throw new RuntimeMissingException(
          dir, "node " + version + " is older than " + MIN_NODE_MAJOR + "." + MIN_NODE_MINOR);
    }
    return version;
  }

  private static String packageVersion(RuntimeLayout layout, Path packageDir, String name) {
    Path packageJson = packageDir.resolve("package.json");
    if (!Files.isRegularFile(packageJson)) {
      throw new RuntimeMissingException(layout.dir(), name + " is not installed");
    }
    try {
      JsonNode version = JSON.readTree(packageJson.toFile()).path("version");
      if (!version.isTextual()) {
        throw new RuntimeMissingException(layout.dir(), packageJson + " has no version");
      }
      return version.asText();
    } catch (IOException e) {
      throw new RuntimeMissingException(
          layout.dir(), "cannot read " + packageJson + ": " + e.getMessage());
    }
  }

  private static void requireVersion(Path dir, String name, String found, String wanted) {
    if (!found.equals(wanted)) {
      throw new RuntimeMissingException(
          dir, name + " " + found + " installed, " + wanted + " pinned");
    }
  }
}
