package io.clawhive.core.storage;

/** A tenant's admission status. Stored by name. */
public enum TenantStatus {
  ACTIVE,
  WAITLISTED,
  BLOCKED
}
