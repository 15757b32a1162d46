package io.clawhive.worker.sandbox;

import io.clawhive.core.ClawhiveException;

/**
 * The host cannot provide the configured isolation mode (or the configuration contradicts itself).
 * The message is one line that names what is missing; the worker does not start.
 */
public final class IsolationUnavailableException extends ClawhiveException {

  private final IsolationMode mode;

  public IsolationUnavailableException(IsolationMode mode, String missing) {
    super("isolation mode " + mode.configName() + " is not available on this host: " + missing);
    this.mode = mode;
  }

  public IsolationMode mode() {
    return mode;
  }
}
