package io.clawhive.worker.openclaw;

import io.clawhive.core.ClawhiveException;
import java.nio.file.Path;

/** The OpenClaw runtime is absent or not at the pinned versions; the worker must not start. */
public class RuntimeMissingException extends ClawhiveException {

  private final Path runtimeDir;

  public RuntimeMissingException(Path runtimeDir, String reason) {
    super("runtime missing at " + runtimeDir + ": run scripts/install-runtime.sh (" + reason + ")");
    this.runtimeDir = runtimeDir;
  }

  public Path runtimeDir() {
    return runtimeDir;
  }
}
