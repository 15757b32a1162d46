package io.clawhive.worker.sandbox;

import io.clawhive.worker.instance.InstanceLayout;
import io.clawhive.worker.instance.ProvisioningException;
import io.clawhive.worker.instance.SystemUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * The passwd and group files a sandbox sees instead of the host's: only root, nobody and the
 * tenant, so a tenant cannot list the other tenants' users (tools still find its own name). Kept in
 * {@code <instance>/sandbox/}, owned by the worker, readable by all, in the worker's own instance
 * directory: the tenant can read them but never replace them. The seccomp program lives there too.
 */
final class SandboxIdentityFiles {

  static final String DIR = "sandbox";
  static final String NOLOGIN = "/usr/sbin/nologin";

  static final String SECCOMP = "seccomp.bpf";

  record Written(Path passwd, Path group, Optional<Path> seccomp) {}

  private SandboxIdentityFiles() {}

  static Written write(InstanceLayout layout, SystemUser user, Path home) {
    return write(layout, user, home, Optional.empty());
  }

  /** As above, plus the seccomp program (0644, root's) when there is one. */
  static Written write(
      InstanceLayout layout, SystemUser user, Path home, Optional<SeccompFilter> seccomp) {
    Path dir = layout.instanceDir().resolve(DIR);
    Path passwd = dir.resolve("passwd");
    Path group = dir.resolve("group");
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      writePublic(
          passwd,
          "root:x:0:0:root:/root:"
              + NOLOGIN
              + "\n"
              + user.name()
              + ":x:"
              + user.uid()
              + ":"
              + user.gid()
              + ":clawhive tenant:"
              + home
              + ":"
              + NOLOGIN
              + "\nnobody:x:65534:65534:nobody:/nonexistent:"
              + NOLOGIN
              + "\n");
      writePublic(
          group, "root:x:0:\n" + user.name() + ":x:" + user.gid() + ":\nnogroup:x:65534:\n");
      Optional<Path> program = Optional.empty();
      if (seccomp.isPresent()) {
        program = Optional.of(dir.resolve(SECCOMP));
        writePublic(program.get(), seccomp.get().program());
      }
      return new Written(passwd, group, program);
    } catch (IOException e) {
      throw new ProvisioningException(
          layout.instanceId(), "cannot write sandbox files in " + dir, e);
    }
  }

  private static void writePublic(Path file, String content) throws IOException {
    writePublic(file, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  private static void writePublic(Path file, byte[] content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.write(tmp, content);
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
