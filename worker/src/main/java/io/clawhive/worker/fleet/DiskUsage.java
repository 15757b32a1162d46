package io.clawhive.worker.fleet;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Bytes used by files under directories, without following symbolic links. */
final class DiskUsage {

  private DiskUsage() {}

  static long bytesUnder(Iterable<Path> dirs) {
    long[] total = {0};
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try {
        Files.walkFileTree(
            dir,
            new SimpleFileVisitor<>() {
              @Override
              public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total[0] += attrs.size();
                return FileVisitResult.CONTINUE;
              }

              @Override
              public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
              }
            });
      } catch (IOException e) {
        // a vanishing file: count what was seen
      }
    }
    return total[0];
  }
}
