package io.clawhive.worker.instance;

import java.security.SecureRandom;
import java.util.Base64;

/** Random per-instance gateway tokens: 256 bits from SecureRandom, URL-safe base64. */
public final class AuthTokens {

  public static final int TOKEN_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private AuthTokens() {}

  public static String newToken() {
    byte[] bytes = new byte[TOKEN_BYTES];
    RANDOM.nextBytes(bytes);
    return ENCODER.encodeToString(bytes);
  }
}
