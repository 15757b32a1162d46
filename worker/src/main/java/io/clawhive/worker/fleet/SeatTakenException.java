package io.clawhive.worker.fleet;

/**
 * This worker is single-tenant and its one seat belongs to another tenant (or is reserved for one):
 * no gateway is made for {@code tenantId}. Routing answers with the one-person reply.
 */
public final class SeatTakenException extends InstanceUnavailableException {

  public SeatTakenException(long tenantId, String nodeId) {
    super(
        null,
        tenantId,
        "gets no gateway: worker " + nodeId + " serves one person only and the seat is taken");
  }
}
