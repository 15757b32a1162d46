package io.clawhive.api.telegram;

import io.clawhive.core.storage.HostSeatDao;

/** What the front door says when it does not pass a message on. */
final class PoliteReplies {
  static final String TEXT_ONLY =
      "Sorry, I can only read text messages for now. Please write your request as text.";
  static final String INVITE_ONLY =
      "This bot is invite-only. If you have an invite code, send: /start YOUR-CODE";
  static final String WAITLISTED =
      "Thanks for your interest! All agents are taken right now, so you are on the waitlist."
          + " Write again later; you get an agent as soon as one is free.";
  static final String SLOW_DOWN =
      "You are sending messages faster than your agent can take them. Please wait a moment;"
          + " messages sent meanwhile are skipped.";

  /** A single-tenant node whose seat is someone else's (sent at most once per user per hour). */
  static final String ONE_PERSON = HostSeatDao.ONE_PERSON_REPLY;

  private PoliteReplies() {}
}
