package io.clawhive.core.storage;

/** Sizes of free-text columns; longer text is cut rather than rejected. */
final class Columns {

  static final int FAILURE_REASON = 1024;
  static final int HEALTH_DETAIL = 1024;
  static final int JOB_RUN_DETAIL = 4000;
  static final int SKILL_INSTALL_DETAIL = 4000;
  static final int UPDATE_REASON = 500;
  static final int SKILL_VERSION_DETAIL = 1024;
  static final int ROLLOUT_DETAIL = 4000;
  static final int PREVIOUS_VERSIONS = 4000;

  /** The first 4 KiB of an update nobody could read is enough to see what was odd about it. */
  static final int UPDATE_RAW = 4096;

  private static final String ELLIPSIS = "...";

  private Columns() {}

  static String fit(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    int end = max - ELLIPSIS.length();
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--; // never split a character outside the BMP
    }
    return text.substring(0, end) + ELLIPSIS;
  }
}
