package io.clawhive.core.storage;

import io.clawhive.core.ClawhiveException;

/** A storage operation failed (database unreachable, bad SQL, lost connection, ...). */
public class StorageException extends ClawhiveException {

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
