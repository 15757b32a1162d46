package io.clawhive.worker.routing;

/** Where one message's answer goes: the Telegram chat or the waiting HTTP request. */
interface Replier {

  /** Shows that an answer is being prepared (Telegram "typing"); best effort. */
  void typing();

  void answer(String text);

  /** Tells the user, once, that their message could not be answered. */
  void failure(String text);
}
