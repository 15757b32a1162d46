package io.clawhive.worker.process;

import io.clawhive.worker.limits.ResourceLimits;

/** Log capture settings: each instance's log is capped at {@code logMaxBytes}, keeping K old. */
public record LauncherSettings(long logMaxBytes, int logKeepFiles) {

  public static final long DEFAULT_LOG_MAX_BYTES = 10 * ResourceLimits.MIB;
  public static final int DEFAULT_LOG_KEEP_FILES = 5;

  public LauncherSettings {
    if (logMaxBytes < 1024) {
      throw new IllegalArgumentException("logMaxBytes must be >= 1024, was " + logMaxBytes);
    }
    if (logKeepFiles < 0 || logKeepFiles > 100) {
      throw new IllegalArgumentException("logKeepFiles must be 0..100, was " + logKeepFiles);
    }
  }

  public static LauncherSettings defaults() {
    return new LauncherSettings(DEFAULT_LOG_MAX_BYTES, DEFAULT_LOG_KEEP_FILES);
  }
}
