package io.clawhive.app;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What a node does. One jar runs any combination; {@code roles:} in config picks them. */
public enum Role {
  API,
  WORKER,
  SCHEDULER;

  /**
   * Parses a comma-separated list such as {@code api,worker}. Blank entries are ignored; unknown
   * ones are an error naming the allowed values.
   */
  static Set<Role> parseList(String text) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String part : text.split(",")) {
      String name = part.trim();
      if (name.isEmpty()) {
        continue;
      }
      try {
        roles.add(Role.valueOf(name.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown role '" + name + "' (allowed: " + allowed() + ")", e);
      }
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException("no role given (allowed: " + allowed() + ")");
    }
    return roles;
  }

  static String allowed() {
    return Arrays.stream(values())
        .map(r -> r.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(", "));
  }
}
