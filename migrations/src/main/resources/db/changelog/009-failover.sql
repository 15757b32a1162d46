--liquibase formatted sql

-- Same DDL on H2 and PostgreSQL. Failover: workers.epoch is a worker's lease generation. A worker
-- bumps it when it registers and writes heartbeats only while it still holds it; declaring a
-- worker DEAD bumps it too, so a worker that comes back (or was only cut off) sees that it was
-- fenced. tenant_moves records each tenant taken off a dead worker: where its queued messages go
-- (to_worker), when the dead worker's queue held nothing more for it (settled_at) and whether the
-- tenant was told (notified_at, set once).

--changeset clawhive:009-worker-epoch
ALTER TABLE workers ADD COLUMN epoch BIGINT DEFAULT 0 NOT NULL;
--rollback ALTER TABLE workers DROP COLUMN epoch;

--changeset clawhive:009-tenant-moves
CREATE TABLE tenant_moves (
  tenant_id BIGINT NOT NULL,
  from_worker VARCHAR(128) NOT NULL,
  from_epoch BIGINT NOT NULL,
  from_instance VARCHAR(36),
  to_worker VARCHAR(128) NOT NULL,
  moved_at TIMESTAMP WITH TIME ZONE NOT NULL,
  settled_at TIMESTAMP WITH TIME ZONE,
  notified_at TIMESTAMP WITH TIME ZONE,
  CONSTRAINT pk_tenant_moves PRIMARY KEY (tenant_id, from_worker, from_epoch)
);
CREATE INDEX ix_tenant_moves_from ON tenant_moves (from_worker, settled_at);
--rollback DROP TABLE tenant_moves;
