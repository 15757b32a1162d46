package io.clawhive.api.admin;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sessions of the ops page: a random id (in an HttpOnly, SameSite=Strict cookie) stands for a
 * successful login with the admin token, so the token itself never travels again, never sits in a
 * URL and is never readable by a script. Sessions expire after {@link #TTL}; at most {@link
 * #MAX_SESSIONS} are kept (the oldest go first).
 */
final class OpsSessions {
  static final Duration TTL = Duration.ofHours(8);
  static final int MAX_SESSIONS = 1_000;
  private static final int ID_BYTES = 32;

  private final SecureRandom random = new SecureRandom();
  private final Map<String, Instant> expiries = new LinkedHashMap<>();
  private final Clock clock;

  OpsSessions(Clock clock) {
    this.clock = clock;
  }

  /** A new session id, valid for {@link #TTL}. */
  synchronized String open() {
    byte[] bytes = new byte[ID_BYTES];
    random.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    expiries.put(id, clock.instant().plus(TTL));
    Iterator<String> oldest = expiries.keySet().iterator();
    while (expiries.size() > MAX_SESSIONS) {
      oldest.next();
      oldest.remove();
    }
    return id;
  }

  /** Whether {@code id} is a live session; expired ones are forgotten. */
  synchronized boolean valid(String id) {
    if (id == null) {
      return false;
    }
    Instant expiry = expiries.get(id);
    if (expiry == null) {
      return false;
    }
    if (!expiry.isAfter(clock.instant())) {
      expiries.remove(id);
      return false;
    }
    return true;
  }

  synchronized void close(String id) {
    if (id != null) {
      expiries.remove(id);
    }
  }
}
