package io.clawhive.core.storage;

/** Whose a model proxy credential is: the instance, and its tenant (null for a pool instance). */
public record ModelCredentialHolder(String instanceId, Long tenantId) {}
