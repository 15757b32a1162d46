package io.clawhive.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bubblewrap command line for one {@link SandboxSpec} (pure apart from reading the host's
 * top-level symlinks). Run it AFTER dropping to the tenant's uid (setpriv): bwrap then creates an
 * unprivileged user namespace in which the tenant keeps its own uid, never root's, and cannot make
 * another ({@code --disable-userns}); no capabilities; with a seccomp program ({@link
 * SeccompFilter}) when the spec has one.
 */
final class BubblewrapCommand {

  /** Top-level names that are symlinks into /usr on merged-/usr hosts, or directories. */
  static final List<String> ROOT_LINKS = List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64");

  static final String HOSTNAME = "clawhive";

  /**
   * A user namespace of the tenant's own uid (bwrap runs unprivileged, after setpriv, so the map is
   * uid→same uid, never root), in which no further user namespace can be made; no capabilities.
   */
  static final List<String> HARDENING =
      List.of("--unshare-user", "--disable-userns", "--cap-drop", "ALL");

  static final String PASSWD = "/etc/passwd";
  static final String GROUP = "/etc/group";

  private final Path bwrap;
  private final List<String> etc;
  private final List<String> extraReadOnly;

  BubblewrapCommand(Path bwrap, List<String> etc, List<String> extraReadOnly) {
    this.bwrap = bwrap;
    this.etc = List.copyOf(etc);
    this.extraReadOnly = List.copyOf(extraReadOnly);
  }

  /**
   * The fd on which bubblewrap reads the seccomp program: {@code /bin/sh} opens the file on it and
   * execs bwrap (ProcessBuilder cannot pass other fds); dash knows single-digit fds only.
   */
  static final int SECCOMP_FD = 3;

  /** {@code $1} is the program file, the rest the bwrap command; no argument is ever parsed. */
  static final String SECCOMP_SHIM =
      "exec " + SECCOMP_FD + "< \"$1\" || exit 126; shift; exec \"$@\"";

  static final String SHELL = "/bin/sh";

  List<String> wrap(SandboxSpec spec, List<String> command) {
    List<String> args = new ArrayList<>();
    spec.seccompFile()
        .ifPresent(
            file ->
                args.addAll(
                    List.of(SHELL, "-c", SECCOMP_SHIM, "clawhive-seccomp", file.toString())));
    args.add(bwrap.toString());
    args.addAll(List.of("--ro-bind", "/usr", "/usr"));
    for (String name : ROOT_LINKS) {
      Path path = Path.of(name);
      if (Files.isSymbolicLink(path)) {
        args.addAll(List.of("--symlink", readLink(path), name));
      } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        args.addAll(List.of("--ro-bind", name, name));
      }
    }
    args.addAll(List.of("--dir", "/etc"));
    for (String entry : etc) {
      if (!entry.equals(PASSWD) && !entry.equals(GROUP)) {
        args.addAll(List.of("--ro-bind-try", entry, entry));
      }
    }
    args.addAll(List.of("--ro-bind", spec.passwdFile().toString(), PASSWD));
    args.addAll(List.of("--ro-bind", spec.groupFile().toString(), GROUP));
    args.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
    for (Path dir : spec.readOnlyDirs()) {
      args.addAll(List.of("--ro-bind", dir.toString(), dir.toString()));
    }
    for (String path : extraReadOnly) {
      args.addAll(List.of("--ro-bind-try", path, path));
    }
    for (Path dir : spec.writableDirs()) {
      args.addAll(List.of("--bind", dir.toString(), dir.toString()));
    }
    args.addAll(HARDENING);
    if (spec.seccompFile().isPresent()) {
      args.addAll(List.of("--seccomp", Integer.toString(SECCOMP_FD)));
    }
    args.addAll(
        List.of(
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--hostname",
            HOSTNAME,
            "--die-with-parent",
            "--new-session",
            "--clearenv"));
    for (Map.Entry<String, String> e : new TreeMap<>(spec.environment()).entrySet()) {
      args.addAll(List.of("--setenv", e.getKey(), e.getValue()));
    }
    args.addAll(List.of("--chdir", spec.workingDir().toString(), "--"));
    args.addAll(command);
    return List.copyOf(args);
  }

  private static String readLink(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read symlink " + link, e);
    }
  }
}
