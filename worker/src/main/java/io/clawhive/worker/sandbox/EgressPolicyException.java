package io.clawhive.worker.sandbox;

import io.clawhive.core.ClawhiveException;

/** An egress rule could not be installed or removed; carries the tenant user it was for. */
public final class EgressPolicyException extends ClawhiveException {

  private final String user;

  public EgressPolicyException(String user, String message) {
    super("egress policy for " + user + ": " + message);
    this.user = user;
  }

  public String user() {
    return user;
  }
}
