package io.clawhive.core.storage;

/** Sizes of free-text columns; longer text is cut rather than rejected. */
final class Columns {

  static final int FAILURE_REASON = 1024;
  static final int HEALTH_DETAIL = 1024;
  static final int JOB_RUN_DETAIL = 4000;
  static final int SKILL_INSTALL_DETAIL = 4000;

  private static final String ELLIPSIS = "...";

  private Columns() {}

  static String fit(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    return text.substring(0, max - ELLIPSIS.length()) + ELLIPSIS;
  }
}
