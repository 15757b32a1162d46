package io.clawhive.worker.sandbox;

import io.clawhive.worker.instance.SystemUser;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one sandboxed command may see: the tenant it runs as, the environment set inside (after
 * {@code --clearenv}), its working directory, the directories it may write (its own only) and the
 * extra directories it may read (the runtime), plus the passwd/group files shown as /etc's and the
 * seccomp program bubblewrap loads (a root-owned file the tenant can read but not replace).
 */
public record SandboxSpec(
    SystemUser user,
    Map<String, String> environment,
    Path workingDir,
    List<Path> writableDirs,
    List<Path> readOnlyDirs,
    Path passwdFile,
    Path groupFile,
    Optional<Path> seccompFile) {

  /** A spec without a seccomp filter. */
  public SandboxSpec(
      SystemUser user,
      Map<String, String> environment,
      Path workingDir,
      List<Path> writableDirs,
      List<Path> readOnlyDirs,
      Path passwdFile,
      Path groupFile) {
    this(
        user,
        environment,
        workingDir,
        writableDirs,
        readOnlyDirs,
        passwdFile,
        groupFile,
        Optional.empty());
  }

  public SandboxSpec {
    Objects.requireNonNull(user, "user");
    environment = Map.copyOf(new TreeMap<>(environment));
    Objects.requireNonNull(workingDir, "workingDir");
    writableDirs = List.copyOf(writableDirs);
    readOnlyDirs = List.copyOf(readOnlyDirs);
    Objects.requireNonNull(passwdFile, "passwdFile");
    Objects.requireNonNull(groupFile, "groupFile");
    Objects.requireNonNull(seccompFile, "seccompFile");
    for (Path dir : writableDirs) {
      if (!dir.isAbsolute()) {
        throw new IllegalArgumentException("writable dir must be absolute: " + dir);
      }
    }
    if (writableDirs.stream().noneMatch(workingDir::startsWith)) {
      throw new IllegalArgumentException(
          "working dir " + workingDir + " is not inside a writable dir " + writableDirs);
    }
  }
}
