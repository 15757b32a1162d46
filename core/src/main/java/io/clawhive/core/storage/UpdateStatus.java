package io.clawhive.core.storage;

/** What happened to one Telegram update. Stored by name. */
public enum UpdateStatus {
  RECEIVED,
  QUEUED,
  ANSWERED,
  IGNORED,
  FAILED
}
