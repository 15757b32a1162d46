package io.clawhive.worker.fleet;

import io.clawhive.worker.gateway.ModelProvider;

/**
 * How an instance reaches the model: the provider written into its {@code openclaw.json}. With the
 * worker's model proxy each instance gets its own credential for the proxy (never the operator's
 * key); {@link #fixed} writes one provider into every instance (tests, stand-in gateways).
 */
public interface ModelAccess {

  /**
   * The provider for instance {@code instanceId}, issuing a new credential where there is one (the
   * instance's previous credential stops working).
   */
  ModelProvider issue(String instanceId);

  /** Whether the instance holds a credential of this access (else its config predates it). */
  boolean holds(String instanceId);

  /** The instance is gone: its credential stops working at once. */
  void revoke(String instanceId);

  /** Every instance gets {@code provider} as it is. */
  static ModelAccess fixed(ModelProvider provider) {
    return new ModelAccess() {
      @Override
      public ModelProvider issue(String instanceId) {
        return provider;
      }

      @Override
      public boolean holds(String instanceId) {
        return true;
      }

      @Override
      public void revoke(String instanceId) {}
    };
  }
}
