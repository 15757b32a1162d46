package io.clawhive.core.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** The embedded broker's password: random on first start, kept in an owner-only file. */
final class BrokerPasswords {

  private static final int PASSWORD_BYTES = 24;
  private static final String OWNER_ONLY = "rw-------";
  private static final SecureRandom RANDOM = new SecureRandom();

  private BrokerPasswords() {}

  static String loadOrCreate(Path file) {
    try {
      if (Files.exists(file)) {
        return read(file);
      }
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      String password = newPassword();
      try {
        Files.createFile(
            file,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(OWNER_ONLY)));
      } catch (FileAlreadyExistsException raced) {
        return read(file);
      }
      Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
      return password;
    } catch (IOException e) {
      throw new BrokerException("cannot read or create broker password file " + file, e);
    }
  }

  private static String read(Path file) throws IOException {
    String password = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (password.isEmpty()) {
      throw new BrokerException("broker password file " + file + " is empty");
    }
    return password;
  }

  private static String newPassword() {
    byte[] bytes = new byte[PASSWORD_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
