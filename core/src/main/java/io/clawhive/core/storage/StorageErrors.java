package io.clawhive.core.storage;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.JdbiException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Turns Jdbi/JDBC failures into {@link StorageException}s. Integrity violations (SQLState class 23)
 * become {@link ConstraintViolationStorageException} whose message says which table and constraint
 * and, for keys, which values. Row contents other than key columns are never put into a message
 * (rows hold secrets such as auth tokens).
 */
public final class StorageErrors {

  private static final String INTEGRITY_CLASS = "23";
  private static final String NOT_NULL = "23502";
  private static final String FOREIGN_KEY = "23503";
  private static final String H2_MISSING_PARENT = "23506";
  private static final String UNIQUE = "23505";
  private static final String CHECK = "23513";

  private static final Pattern PG_KEY = Pattern.compile("Key (\\(.*\\))=(\\(.*\\))");
  private static final Pattern QUOTED_NAME =
      Pattern.compile("\"(?:[A-Za-z0-9_]+\\.)?([A-Za-z0-9_]+)");
  private static final Pattern H2_TABLE =
      Pattern.compile("(?:ON|REFERENCES|FOR|^) ?(?:[A-Z0-9_]+\\.)?([A-Z0-9_]+)[( ]");
  private static final Pattern CAST = Pattern.compile("(?i)^CAST\\((.*) AS [^)]*\\)$");

  private StorageErrors() {}

  /**
   * Translates {@code e}: a {@link JdbiException} becomes a {@link StorageException} (or its
   * constraint subclass); anything else, including a StorageException, is returned unchanged.
   */
  public static RuntimeException translate(RuntimeException e) {
    if (!(e instanceof JdbiException)) {
      return e;
    }
    Optional<SQLException> sql = sqlCause(e);
    if (sql.isPresent() && isIntegrityViolation(sql.get())) {
      return violation(sql.get(), e);
    }
    String reason = sql.map(SQLException::getMessage).orElse(e.getMessage());
    return new StorageException("Storage operation failed: " + firstLine(reason), e);
  }

  private static Optional<SQLException> sqlCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        SQLException next = sql.getNextException();
        return Optional.of(next != null && isIntegrityViolation(next) ? next : sql);
      }
    }
    return Optional.empty();
  }

  private static boolean isIntegrityViolation(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith(INTEGRITY_CLASS);
  }

  static ConstraintViolationStorageException violation(SQLException sql, Throwable cause) {
    Facts facts = sql instanceof PSQLException pg ? fromPostgres(pg) : fromMessage(sql);
    Optional<ConstraintCatalog.Known> known =
        ConstraintCatalog.find(facts.constraint)
            .or(() -> ConstraintCatalog.findIn(firstLine(sql.getMessage())));
    String constraint = known.map(ConstraintCatalog.Known::name).orElse(lower(facts.constraint));
    String table = known.map(ConstraintCatalog.Known::table).orElse(lower(facts.table));
    String key = facts.key(known.map(ConstraintCatalog.Known::columns).orElse(List.of()));
    String state = sql.getSQLState();
    String what = describe(state, facts, known, constraint, table);
    StringBuilder message = new StringBuilder("Cannot write ").append(orUnknown(table));
    message.append(": ").append(what);
    if (key != null) {
      message.append("; key ").append(key);
    }
    if (constraint != null) {
      message.append(" [constraint ").append(constraint).append(']');
    }
    return new ConstraintViolationStorageException(
        message.toString(), table, constraint, key, state, cause);
  }

  private static String describe(
      String state,
      Facts facts,
      Optional<ConstraintCatalog.Known> known,
      String constraint,
      String table) {
    if (NOT_NULL.equals(state)) {
      return "column " + orUnknown(lower(facts.column)) + " must have a value";
    }
    if (known.isPresent()) {
      ConstraintCatalog.Known k = known.get();
      return facts.stillReferenced && k.stillReferenced() != null
          ? k.stillReferenced()
          : k.meaning();
    }
    return switch (state) {
      case UNIQUE -> "a row with this key already exists";
      case FOREIGN_KEY, H2_MISSING_PARENT ->
          facts.stillReferenced
              ? "other rows still refer to this row"
              : "it refers to a row that does not exist";
      case CHECK -> "a value is not allowed by " + orUnknown(constraint);
      default -> "integrity constraint violated on " + orUnknown(table);
    };
  }

  /** What a driver told us, before catalog lookup. */
  private record Facts(
      String constraint,
      String table,
      String column,
      String pgKey,
      List<String> h2Values,
      boolean stillReferenced) {

    String key(List<String> columns) {
      if (pgKey != null) {
        return pgKey;
      }
      if (columns.isEmpty() || h2Values.size() < columns.size()) {
        return null;
      }
      return "("
          + String.join(", ", columns)
          + ")=("
          + String.join(", ", h2Values.subList(0, columns.size()))
          + ")";
    }
  }

  private static Facts fromPostgres(PSQLException e) {
    ServerErrorMessage m = e.getServerErrorMessage();
    if (m == null) {
      return fromMessage(e);
    }
    String detail = m.getDetail() == null ? "" : m.getDetail();
    String pgKey = null;
    boolean keyed = UNIQUE.equals(e.getSQLState()) || FOREIGN_KEY.equals(e.getSQLState());
    Matcher key = PG_KEY.matcher(detail);
    if (keyed && key.find()) {
      pgKey = key.group(1) + "=" + key.group(2);
    }
    return new Facts(
        m.getConstraint(),
        m.getTable(),
        m.getColumn(),
        pgKey,
        List.of(),
        detail.contains("is still referenced"));
  }

  /** H2 (and any other driver): everything is in the first message line. */
  private static Facts fromMessage(SQLException e) {
    String line = firstLine(e.getMessage());
    int open = line.indexOf('"');
    int close = line.lastIndexOf('"');
    String quoted = open >= 0 && close > open ? line.substring(open + 1, close) : "";
    String column = null;
    String constraint = null;
    Matcher name = QUOTED_NAME.matcher(line);
    if (name.find()) {
      if (NOT_NULL.equals(e.getSQLState())) {
        column = name.group(1);
      } else {
        constraint = name.group(1);
      }
    }
    String table = null;
    Matcher tableMatch = H2_TABLE.matcher(quoted.replaceFirst("^[^ ]+ ", ""));
    if (tableMatch.find()) {
      table = tableMatch.group(1);
    }
    return new Facts(
        constraint,
        table,
        column,
        null,
        trailingValues(quoted),
        FOREIGN_KEY.equals(e.getSQLState()));
  }

  /** Values of H2's trailing "( /* key:1 *&#47; 'a', CAST(1 AS BIGINT) )" group, in order. */
  private static List<String> trailingValues(String quoted) {
    String text = quoted.replaceAll("/\\*.*?\\*/", "").trim();
    if (!text.endsWith(")")) {
      return List.of();
    }
    int depth = 0;
    int start = -1;
    for (int i = text.length() - 1; i >= 0 && start < 0; i--) {
      char c = text.charAt(i);
      if (c == ')') {
        depth++;
      } else if (c == '(' && --depth == 0) {
        start = i;
      }
    }
    if (start < 0) {
      return List.of();
    }
    List<String> values = new ArrayList<>();
    for (String part : splitTopLevel(text.substring(start + 1, text.length() - 1))) {
      Matcher cast = CAST.matcher(part.trim());
      values.add(cast.matches() ? cast.group(1) : part.trim());
    }
    return values;
  }

  private static List<String> splitTopLevel(String text) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    int from = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'') {
        quoted = !quoted;
      } else if (!quoted && c == '(') {
        depth++;
      } else if (!quoted && c == ')') {
        depth--;
      } else if (!quoted && depth == 0 && c == ',') {
        parts.add(text.substring(from, i));
        from = i + 1;
      }
    }
    parts.add(text.substring(from));
    return parts;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase();
  }

  private static String orUnknown(String s) {
    return s == null ? "(unknown)" : s;
  }
}
