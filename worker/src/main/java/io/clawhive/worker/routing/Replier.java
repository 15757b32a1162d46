package io.clawhive.worker.routing;

/** Where one message's answer goes: the Telegram chat or the waiting HTTP request. */
interface Replier {

  /** Shows that an answer is being prepared (Telegram "typing"); best effort. */
  void typing();

  default void answer(String text) {
    answer(text, Progress.NONE);
  }

  /** Sends the answer's parts from {@code progress.partsSent()} on, recording each one sent. */
  void answer(String text, Progress progress);

  /** Tells the user, once, that their message could not be answered. */
  void failure(String text);
}
