package io.clawhive.worker.fleet;

import io.clawhive.worker.process.BoundedCommand;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bytes (apparent size) under a tenant's directories, counted by {@code du -s -b -P -x} (bounded):
 * GNU du walks by directory descriptors and never follows a link, so a tenant swapping directories
 * for symlinks cannot make root read or block on anything outside its tree.
 */
final class DiskUsage {

  static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final Logger LOG = LoggerFactory.getLogger(DiskUsage.class);

  private DiskUsage() {}

  /** The total, or empty when {@code du} failed or timed out (then the quota is not judged). */
  static OptionalLong bytesUnder(Iterable<Path> dirs) {
    List<String> argv = new ArrayList<>(List.of("du", "-s", "-b", "-P", "-x", "--"));
    for (Path dir : dirs) {
      if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        argv.add(dir.toString());
      }
    }
    if (argv.size() == 6) {
      return OptionalLong.of(0);
    }
    BoundedCommand.Result result =
        BoundedCommand.run(
            new BoundedCommand.Request(
                argv,
                BoundedCommand.hostToolEnvironment(),
                Optional.empty(),
                null,
                false,
                TIMEOUT));
    if (!result.error().isEmpty()) {
      LOG.warn("disk usage of {} unknown: {}", dirs, result.error());
      return OptionalLong.empty();
    }
    long total = 0;
    for (String line : result.stdout().lines().toList()) {
      int tab = line.indexOf('\t');
      if (tab > 0) {
        total += Long.parseLong(line.substring(0, tab).trim());
      }
    }
    if (result.exitCode() != 0) {
      // a file vanished or is unreadable: count what du saw
      LOG.debug("du exit {} for {}: {}", result.exitCode(), dirs, result.stderr().strip());
    }
    return OptionalLong.of(total);
  }
}
