package io.clawhive.core.broker;

/** Where the embedded broker keeps its messages. */
public enum BrokerStore {
  /** Apache Derby under the broker's directory: persistent messages survive a restart. */
  DERBY,
  /** Memory only: everything is gone when the broker stops (tests). */
  MEMORY
}
