--liquibase formatted sql

-- Updates that could not be understood (a field of an unexpected type) are recorded as IGNORED
-- with the reason and the first 4096 characters of their JSON, so that ops can look at them
-- (GET /api/v1/updates/ignored). One changeset per database, although the DDL is the same.

--changeset clawhive:003-unparsable-updates-h2 dbms:h2
ALTER TABLE processed_updates ADD COLUMN reason VARCHAR(500);
ALTER TABLE processed_updates ADD COLUMN raw_update VARCHAR(4096);
CREATE INDEX ix_processed_updates_status ON processed_updates (status, received_at);
--rollback DROP INDEX ix_processed_updates_status;
--rollback ALTER TABLE processed_updates DROP COLUMN raw_update;
--rollback ALTER TABLE processed_updates DROP COLUMN reason;

--changeset clawhive:003-unparsable-updates-postgresql dbms:postgresql
ALTER TABLE processed_updates ADD COLUMN reason VARCHAR(500);
ALTER TABLE processed_updates ADD COLUMN raw_update VARCHAR(4096);
CREATE INDEX ix_processed_updates_status ON processed_updates (status, received_at);
--rollback DROP INDEX ix_processed_updates_status;
--rollback ALTER TABLE processed_updates DROP COLUMN raw_update;
--rollback ALTER TABLE processed_updates DROP COLUMN reason;
