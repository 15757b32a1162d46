--liquibase formatted sql

-- Same DDL on H2 and PostgreSQL. The one seat of a worker in single-tenant mode (isolation none
-- without allowSharedNone): the row exists while the worker runs in that mode; tenant_id is set
-- once, by the first tenant to claim it (UPDATE ... WHERE tenant_id IS NULL), and kept across
-- restarts. reserved_for, when set (the first TELEGRAM_ALLOWED_USER_IDS entry), is the only
-- tenant that may claim it.

--changeset clawhive:004-host-seats
CREATE TABLE host_seats (
  node_id VARCHAR(128) NOT NULL,
  tenant_id BIGINT,
  reserved_for BIGINT,
  opened_at TIMESTAMP WITH TIME ZONE NOT NULL,
  claimed_at TIMESTAMP WITH TIME ZONE,
  CONSTRAINT pk_host_seats PRIMARY KEY (node_id)
);
--rollback DROP TABLE host_seats;
