package io.clawhive.worker.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A log file with a size cap: when a write would take {@code file} past {@code maxBytes}, the file
 * becomes {@code file.1}, older ones shift up, and at most {@code keepFiles} rotated files remain.
 * Disk use per instance is therefore bounded by {@code maxBytes * (keepFiles + 1)}.
 */
public final class RotatingLogWriter implements AutoCloseable {

  private final Path file;
  private final long maxBytes;
  private final int keepFiles;
  private OutputStream out;
  private long size;

  public RotatingLogWriter(Path file, long maxBytes, int keepFiles) throws IOException {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be >= 1, was " + maxBytes);
    }
    if (keepFiles < 0) {
      throw new IllegalArgumentException("keepFiles must be >= 0, was " + keepFiles);
    }
    this.file = file;
    this.maxBytes = maxBytes;
    this.keepFiles = keepFiles;
    open();
  }

  public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
    int written = 0;
    while (written < length) {
      if (size >= maxBytes) {
        rotate();
      }
      int chunk = (int) Math.min(length - written, maxBytes - size);
      out.write(bytes, offset + written, chunk);
      size += chunk;
      written += chunk;
    }
    out.flush();
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }

  static Path rotated(Path file, int index) {
    return file.resolveSibling(file.getFileName() + "." + index);
  }

  private void rotate() throws IOException {
    out.close();
    if (keepFiles == 0) {
      Files.deleteIfExists(file);
    } else {
      Files.deleteIfExists(rotated(file, keepFiles));
      for (int i = keepFiles - 1; i >= 1; i--) {
        Path from = rotated(file, i);
        if (Files.exists(from)) {
          Files.move(from, rotated(file, i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      Files.move(file, rotated(file, 1), StandardCopyOption.REPLACE_EXISTING);
    }
    open();
  }

  private void open() throws IOException {
    out =
        Files.newOutputStream(
            file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    size = Files.size(file);
  }
}
