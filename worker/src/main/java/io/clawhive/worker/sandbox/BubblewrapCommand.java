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
 * unprivileged user namespace in which the tenant keeps its own uid, never root's.
 */
final class BubblewrapCommand {

  /** Top-level names that are symlinks into /usr on merged-/usr hosts, or directories. */
  static final List<String> ROOT_LINKS = List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64");

  static final String HOSTNAME = "clawhive";
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

  List<String> wrap(SandboxSpec spec, List<String> command) {
    List<String> args = new ArrayList<>();
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
