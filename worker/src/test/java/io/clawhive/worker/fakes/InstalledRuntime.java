package io.clawhive.worker.fakes;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.clawhive.worker.openclaw.RuntimeMissingException;
import io.clawhive.worker.openclaw.RuntimeVerifier;
import io.clawhive.worker.openclaw.VerifiedRuntime;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real pinned runtime for tests, from {@code CLAWHIVE_RUNTIME_DIR}; skips the test if absent.
 */
public final class InstalledRuntime {

  public static final String ENV = "CLAWHIVE_RUNTIME_DIR";

  private InstalledRuntime() {}

  public static VerifiedRuntime assumeInstalled() {
    String dir = System.getenv(ENV);
    assumeTrue(
        dir != null && !dir.isBlank(),
        ENV
            + " is not set: skipping the test with the real OpenClaw runtime"
            + " (install it with scripts/install-runtime.sh DIR and set "
            + ENV
            + "=DIR)");
    assumeTrue(
        Files.isDirectory(Path.of(dir)),
        ENV
            + "="
            + dir
            + " does not exist: skipping the test with the real OpenClaw runtime"
            + " (run scripts/install-runtime.sh "
            + dir
            + ")");
    try {
      return new RuntimeVerifier().verify(Path.of(dir));
    } catch (RuntimeMissingException e) {
      assumeTrue(false, "skipping the test with the real OpenClaw runtime: " + e.getMessage());
      throw e;
    }
  }
}
