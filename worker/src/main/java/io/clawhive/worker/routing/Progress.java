package io.clawhive.worker.routing;

/**
 * How many parts of an answer have gone out already, kept where a resend can read it (the stored
 * answer's row), so that a failed or redelivered send continues instead of repeating parts.
 */
interface Progress {

  /** Nothing is kept: every send starts at the first part. */
  Progress NONE =
      new Progress() {
        @Override
        public int partsSent() {
          return 0;
        }

        @Override
        public void sent(int parts) {}
      };

  int partsSent();

  /** The first {@code parts} parts have been accepted. */
  void sent(int parts);
}
