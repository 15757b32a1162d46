package io.clawhive.worker.openclaw;

/** A runtime directory that {@link RuntimeVerifier} found complete, with what it found. */
public record VerifiedRuntime(
    RuntimeLayout layout, String nodeVersion, String openclawVersion, String clawhubVersion) {}
