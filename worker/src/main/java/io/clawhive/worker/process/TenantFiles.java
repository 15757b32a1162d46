package io.clawhive.worker.process;

import io.clawhive.core.ClawhiveException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes files inside a tenant's directories AS the tenant, through its {@link
 * CommandWrapper} (its uid, its sandbox): root never opens a path the tenant controls, so a symlink
 * or FIFO the tenant put there can only reach what the tenant itself could. Each operation is one
 * bounded {@code sh}/{@code head}/{@code test} process.
 */
public final class TenantFiles {

  static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** Writes stdin to "$1.tmp" (0600), then renames it over "$1". */
  private static final String WRITE_SCRIPT =
      "umask 077 && cat > \"$1.tmp\" && mv -f -- \"$1.tmp\" \"$1\"";

  /**
   * Prints at most $1 bytes of "$2" unless "$2" or its directory is a symbolic link or "$2" is not
   * a regular file (exit 3).
   */
  private static final String READ_NO_FOLLOW_SCRIPT =
      "d=$(dirname -- \"$2\"); if [ -L \"$2\" ] || [ -L \"$d\" ] || [ ! -f \"$2\" ]; then exit 3;"
          + " fi; exec head -c \"$1\" -- \"$2\"";

  private TenantFiles() {}

  /**
   * Replaces {@code file} with {@code content} (mode 0600, owned by whoever the wrapper runs as).
   * {@code workingDir} must be one of the tenant's directories (the sandbox binds it).
   */
  public static void write(
      CommandWrapper wrapper,
      Map<String, String> environment,
      Path workingDir,
      Path file,
      String content) {
    BoundedCommand.Result result =
        run(
            wrapper,
            environment,
            workingDir,
            List.of("/bin/sh", "-c", WRITE_SCRIPT, "clawhive-write", file.toString()),
            content);
    if (!result.ok()) {
      throw new ClawhiveException(
          "cannot write "
              + file
              + " as the tenant: "
              + (result.error().isEmpty() ? result.stderr().strip() : result.error()));
    }
  }

  /**
   * The file's content as the tenant reads it, or empty when it is missing, unreadable, larger than
   * {@code maxBytes} or not read within the timeout (e.g. a FIFO).
   */
  public static Optional<String> read(
      CommandWrapper wrapper,
      Map<String, String> environment,
      Path workingDir,
      Path file,
      int maxBytes) {
    if (maxBytes >= BoundedCommand.MAX_CAPTURED_BYTES) {
      throw new IllegalArgumentException(
          "maxBytes must be below " + BoundedCommand.MAX_CAPTURED_BYTES);
    }
    BoundedCommand.Result result =
        run(
            wrapper,
            environment,
            workingDir,
            List.of("head", "-c", Integer.toString(maxBytes + 1), "--", file.toString()),
            null);
    if (!result.ok() || result.stdout().length() > maxBytes) {
      return Optional.empty();
    }
    return Optional.of(result.stdout());
  }

  /**
   * As {@link #read}, but empty when {@code file} or its directory is a symbolic link or {@code
   * file} is not a regular file: for files whose place the tenant could redirect elsewhere.
   */
  public static Optional<String> readNoFollow(
      CommandWrapper wrapper,
      Map<String, String> environment,
      Path workingDir,
      Path file,
      int maxBytes) {
    if (maxBytes >= BoundedCommand.MAX_CAPTURED_BYTES) {
      throw new IllegalArgumentException(
          "maxBytes must be below " + BoundedCommand.MAX_CAPTURED_BYTES);
    }
    BoundedCommand.Result result =
        run(
            wrapper,
            environment,
            workingDir,
            List.of(
                "/bin/sh",
                "-c",
                READ_NO_FOLLOW_SCRIPT,
                "clawhive-read",
                Integer.toString(maxBytes + 1),
                file.toString()),
            null);
    if (!result.ok() || result.stdout().length() > maxBytes) {
      return Optional.empty();
    }
    return Optional.of(result.stdout());
  }

  /** Whether the tenant sees a regular file at {@code file}. */
  public static boolean isRegularFile(
      CommandWrapper wrapper, Map<String, String> environment, Path workingDir, Path file) {
    return run(wrapper, environment, workingDir, List.of("test", "-f", file.toString()), null).ok();
  }

  private static BoundedCommand.Result run(
      CommandWrapper wrapper,
      Map<String, String> environment,
      Path workingDir,
      List<String> command,
      String input) {
    return BoundedCommand.run(
        new BoundedCommand.Request(
            wrapper.wrap(command, environment, workingDir),
            environment,
            Optional.of(workingDir),
            input,
            false,
            TIMEOUT));
  }
}
